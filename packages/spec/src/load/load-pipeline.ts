import { IssueCollector, type SpecIssue } from '../issues/spec-issue.ts';
import type { PipelineSpec, PlatformSpec } from '../model/pipeline-spec.ts';
import { decodeMessage, describe, isPlainObject } from './decode-message.ts';
import { parseDocuments } from './parse-documents.ts';
import { pipelineSpecSchema, platformSpecSchema } from './pipeline-spec-schema.ts';

/** A pipeline as KFP's SDK writes it: the spec, and optionally the platform spec that follows it. */
export interface LoadedPipeline {
  readonly spec: PipelineSpec;
  readonly platformSpec?: PlatformSpec;
}

/**
 * `pipeline` is present when the documents have the right shape (no structural errors); `issues` may still
 * hold warnings, such as fields this version of Cairn does not know.
 */
export interface LoadResult {
  readonly pipeline?: LoadedPipeline;
  readonly issues: SpecIssue[];
}

/**
 * Reads a compiled pipeline from YAML or JSON text and checks its structure against the PipelineSpec
 * schema. Semantic checks (references, types, cycles) are `validatePipeline`'s job.
 *
 * @example
 * const { pipeline, issues } = loadPipelineText(readFileSync('pipeline.yaml', 'utf8'));
 * for (const issue of issues) console.log(formatIssue(issue));
 */
export function loadPipelineText(text: string): LoadResult {
  return loadPipelineTextWithPositions(text).result;
}

/**
 * The load result, plus a function that adds source positions to issues found later about the same text
 * (the validator's), so every issue a user sees points at a line.
 */
export function loadPipelineTextWithPositions(text: string): {
  result: LoadResult;
  locate: (issues: readonly SpecIssue[]) => SpecIssue[];
} {
  const outcome = parseDocuments(text);
  if (!outcome.ok) return { result: { issues: outcome.issues }, locate: (issues) => [...issues] };
  const { values, locate: position } = outcome.parsed;
  const locate = (issues: readonly SpecIssue[]) =>
    issues.map((issue) => ({ ...issue, ...position(issue.document, issue.path) }));
  const loaded = loadPipelineDocuments(values);
  const issues = locate(loaded.issues);
  const result = loaded.pipeline === undefined ? { issues } : { pipeline: loaded.pipeline, issues };
  return { result, locate };
}

/**
 * Checks already-parsed documents: `[pipelineSpec]` or `[pipelineSpec, platformSpec]`. This is the entry
 * point for specs that arrive as JSON objects, for example inside an API request.
 */
export function loadPipelineDocuments(documents: readonly unknown[]): LoadResult {
  const specIssues = new IssueCollector(0);
  if (documents.length === 0) {
    specIssues.error('DOCUMENT_COUNT', [], 'the file is empty; expected a PipelineSpec document');
    return { issues: specIssues.issues };
  }
  if (documents.length > 2) {
    specIssues.error(
      'DOCUMENT_COUNT',
      [],
      `the file holds ${documents.length} documents; expected a PipelineSpec, optionally followed by a PlatformSpec`,
    );
    return { issues: specIssues.issues };
  }
  const [first, second] = documents;
  const misfit = recogniseOtherFormats(first);
  if (misfit !== undefined) {
    specIssues.error('FIELD_TYPE', [], misfit);
    return { issues: specIssues.issues };
  }
  const spec = decodeMessage(first, pipelineSpecSchema(), [], specIssues);
  const platformIssues = new IssueCollector(1);
  const platformSpec =
    second === undefined ? undefined : decodeMessage(second, platformSpecSchema(), [], platformIssues);
  const issues = [...specIssues.issues, ...platformIssues.issues];
  if (spec === undefined || issues.some((issue) => issue.severity === 'error')) return { issues };
  const pipeline: LoadedPipeline =
    platformSpec === undefined
      ? { spec: spec as unknown as PipelineSpec }
      : { spec: spec as unknown as PipelineSpec, platformSpec: platformSpec as PlatformSpec };
  return { pipeline, issues };
}

/** Files people mistake for a compiled v2 pipeline, named so the error says what to do instead. */
function recogniseOtherFormats(document: unknown): string | undefined {
  if (!isPlainObject(document)) {
    return `expected a PipelineSpec object at the top of the document, got ${describe(document)}`;
  }
  if (document.kind === 'Workflow' || typeof document.apiVersion === 'string') {
    return 'this is a KFP v1 (Argo Workflow) package; Cairn loads KFP v2 pipeline specs: recompile the pipeline with kfp 2.x';
  }
  if (isPlainObject(document.pipelineSpec)) {
    return 'this is a PipelineJob; its "pipelineSpec" field holds the pipeline: save that field as the pipeline file';
  }
  if (document.implementation !== undefined && document.root === undefined) {
    return 'this is a component definition, not a pipeline: compile a pipeline that uses it';
  }
  if (document.platforms !== undefined && document.root === undefined) {
    return 'this is a PlatformSpec; it must follow the PipelineSpec document in the same file';
  }
  return undefined;
}
