import Type from 'typebox';
import { Description, ListQuery, Namespace, Status, Timestamp, Url } from './common.ts';

/** KFP's tags: at most 20, keys and values at most 63 characters, keys not empty and without '.'. */
export const Tags = Type.Record(Type.String(), Type.String({ maxLength: 63 }), {
  maxProperties: 20,
  propertyNames: { minLength: 1, maxLength: 63, pattern: '^[^.]*$' },
});
export type Tags = Type.Static<typeof Tags>;

/** KFP's `v2beta1Pipeline`. */
export const Pipeline = Type.Object({
  pipeline_id: Type.String(),
  display_name: Type.String(),
  name: Type.String(),
  description: Type.Optional(Description),
  created_at: Timestamp,
  namespace: Type.Optional(Namespace),
  error: Type.Optional(Status),
  tags: Type.Optional(Tags),
});
export type Pipeline = Type.Static<typeof Pipeline>;

/** The body of CreatePipeline: a Pipeline whose output fields, when sent, are ignored as KFP does. */
export const NewPipeline = Type.Partial(Pipeline, { additionalProperties: false });
export type NewPipeline = Type.Static<typeof NewPipeline>;

/** KFP's `v2beta1Url`. */
export const PackageUrl = Type.Object({ pipeline_url: Url }, { additionalProperties: false });

/** A compiled PipelineSpec as JSON: the object KFP returns, or a PipelineSpec and a PlatformSpec. */
export const PipelineSpecObject = Type.Record(Type.String(), Type.Unknown());

/** KFP's `v2beta1PipelineVersion`. */
export const PipelineVersion = Type.Object({
  pipeline_id: Type.String(),
  pipeline_version_id: Type.String(),
  display_name: Type.String(),
  name: Type.String(),
  description: Type.Optional(Description),
  created_at: Timestamp,
  package_url: Type.Optional(PackageUrl),
  code_source_url: Type.Optional(Url),
  pipeline_spec: Type.Optional(PipelineSpecObject),
  error: Type.Optional(Status),
  tags: Type.Optional(Tags),
});
export type PipelineVersion = Type.Static<typeof PipelineVersion>;

/**
 * The body of CreatePipelineVersion. KFP takes the spec from `package_url`; Cairn also takes it inline
 * in `pipeline_spec`, which KFP only ever returns.
 */
export const NewPipelineVersion = Type.Partial(PipelineVersion, { additionalProperties: false });
export type NewPipelineVersion = Type.Static<typeof NewPipelineVersion>;

/** The body of CreatePipelineAndVersion. */
export const NewPipelineAndVersion = Type.Object(
  { pipeline: NewPipeline, pipeline_version: NewPipelineVersion },
  { additionalProperties: false },
);
export type NewPipelineAndVersion = Type.Static<typeof NewPipelineAndVersion>;

export const ListPipelinesQuery = Type.Object({
  ...ListQuery.properties,
  namespace: Type.Optional(Type.String()),
});
export type ListPipelinesQuery = Type.Static<typeof ListPipelinesQuery>;

export const ListPipelinesResponse = Type.Object({
  pipelines: Type.Array(Pipeline),
  total_size: Type.Integer(),
  next_page_token: Type.String(),
});
export type ListPipelinesResponse = Type.Static<typeof ListPipelinesResponse>;

export const ListPipelineVersionsResponse = Type.Object({
  pipeline_versions: Type.Array(PipelineVersion),
  total_size: Type.Integer(),
  next_page_token: Type.String(),
});
export type ListPipelineVersionsResponse = Type.Static<typeof ListPipelineVersionsResponse>;
