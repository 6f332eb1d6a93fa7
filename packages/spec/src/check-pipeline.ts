import { hasErrors, type SpecIssue } from './issues/spec-issue.ts';
import { type LoadedPipeline, loadPipelineTextWithPositions } from './load/load-pipeline.ts';
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
  const { result, locate } = loadPipelineTextWithPositions(text);
  if (result.pipeline === undefined) return { issues: inDocumentOrder(result.issues) };
  const issues = inDocumentOrder([...result.issues, ...locate(validatePipeline(result.pipeline))]);
  return hasErrors(issues) ? { issues } : { pipeline: result.pipeline, issues };
}

/** Issues sorted the way a reader meets them: by document, then line; unplaced issues keep their order. */
function inDocumentOrder(issues: SpecIssue[]): SpecIssue[] {
  return issues
    .map((issue, order) => ({ issue, order }))
    .sort(
      (a, b) =>
        a.issue.document - b.issue.document ||
        (a.issue.line ?? Number.MAX_SAFE_INTEGER) - (b.issue.line ?? Number.MAX_SAFE_INTEGER) ||
        a.order - b.order,
    )
    .map(({ issue }) => issue);
}
