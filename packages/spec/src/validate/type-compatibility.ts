import type { ArtifactTypeSchema, ParameterType } from '../model/pipeline-spec.ts';

/**
 * Whether a value of one parameter type may feed an input of another. KFP's compiler accepts a few
 * widenings that its driver handles at run time, and the fixtures compiled by the KFP SDK rely on them.
 */
export function parameterTypesCompatible(source: ParameterType, target: ParameterType): boolean {
  if (source === target) return true;
  // An integer is a valid double everywhere KFP reads numbers.
  if (source === 'NUMBER_INTEGER' && target === 'NUMBER_DOUBLE') return true;
  // A final status is delivered as a JSON object; KFP lets a nested pipeline hand it on to a dict input.
  if (source === 'TASK_FINAL_STATUS' && target === 'STRUCT') return true;
  return false;
}

const GENERIC_ARTIFACT = 'system.Artifact';

/**
 * KFP's rule (kfp.dsl.types.type_utils.verify_type_compatibility): the generic system.Artifact type matches
 * any artifact; otherwise the schema titles must be equal. Schema versions do not take part.
 */
export function artifactTypesCompatible(
  source: ArtifactTypeSchema | undefined,
  target: ArtifactTypeSchema | undefined,
): boolean {
  const from = source?.schemaTitle;
  const to = target?.schemaTitle;
  if (from === undefined || to === undefined) return true;
  return from === to || from === GENERIC_ARTIFACT || to === GENERIC_ARTIFACT;
}

export function describeArtifactType(type: ArtifactTypeSchema | undefined): string {
  if (type?.schemaTitle) return type.schemaTitle;
  if (type?.instanceSchema) return 'an artifact with an instance schema';
  return 'an artifact of unspecified type';
}
