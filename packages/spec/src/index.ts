export * from './issues/spec-issue.ts';
export * from './load/load-pipeline.ts';
export * from './model/pipeline-spec.ts';
