export * from './cel/check-cel.ts';
export * from './check-pipeline.ts';
export * from './issues/spec-issue.ts';
export * from './load/load-pipeline.ts';
export * from './model/pipeline-spec.ts';
export * from './placeholders/parse-placeholders.ts';
export { SUPPORTED_SCHEMA_VERSIONS } from './validate/check-schema-version.ts';
export * from './validate/validate-pipeline.ts';
