import { hasErrors, type SpecIssue } from './issues/spec-issue.ts';
import { type LoadedPipeline, loadPipelineText } from './load/load-pipeline.ts';
import { validatePipeline } from './validate/validate-pipeline.ts';

export interface CheckResult {
  /** Present only when the pipeline loaded and has no errors (warnings allowed). */
  readonly pipeline?: LoadedPipeline;
  readonly issues: SpecIssue[];
}

/**
 * Loads and validates pipeline text in one step: what `cairn validate` and the API's upload do.
 *
 * @example
 * const { pipeline, issues } = checkPipelineText(readFileSync('pipeline.yaml', 'utf8'));
 * if (!pipeline) throw new Error(issues.map(formatIssue).join('\n'));
 */
export function checkPipelineText(text: string): CheckResult {
  const loaded = loadPipelineText(text);
  if (loaded.pipeline === undefined) return { issues: loaded.issues };
  const issues = [...loaded.issues, ...validatePipeline(loaded.pipeline)];
  return hasErrors(issues) ? { issues } : { pipeline: loaded.pipeline, issues };
}
