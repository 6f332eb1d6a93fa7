import { IssueCollector, type SpecIssue } from '../issues/spec-issue.ts';
import type { LoadedPipeline } from '../load/load-pipeline.ts';
import { checkComponents } from './check-components.ts';
import { checkDag } from './check-dag.ts';
import { checkExecutors } from './check-executors.ts';
import { checkPlatformSpec } from './check-platform-spec.ts';
import { checkSchemaVersion } from './check-schema-version.ts';
import { SpecIndex } from './spec-index.ts';

/**
 * Semantic checks of a structurally valid pipeline: references between components, executors and tasks;
 * dependency cycles; wiring and types between producers and consumers; CEL conditions and selectors;
 * placeholders; executors the platform spec configures. Returns every problem found, not just the first.
 *
 * @example
 * const { pipeline, issues } = loadPipelineText(text);
 * const problems = pipeline ? [...issues, ...validatePipeline(pipeline)] : issues;
 */
export function validatePipeline(pipeline: LoadedPipeline): SpecIssue[] {
  const issues = new IssueCollector(0);
  const index = new SpecIndex(pipeline.spec);
  checkSchemaVersion(pipeline.spec, issues);
  checkComponents(index, issues);
  checkExecutors(index, issues);
  for (const site of index.sites()) checkDag(index, site, issues);
  const platformIssues = new IssueCollector(1);
  if (pipeline.platformSpec) checkPlatformSpec(pipeline.platformSpec, index, platformIssues);
  return [...issues.issues, ...platformIssues.issues];
}
