import { hasErrors, type SpecIssue } from './issues/spec-issue.ts';
import { type LoadedPipeline, loadPipelineTextWithPositions } from './load/load-pipeline.ts';
import type { ExecutionPlan } from './plan/execution-plan.ts';
import { PlanError } from './plan/plan-error.ts';
import { planPipeline } from './plan/plan-pipeline.ts';
import { validatePipeline } from './validate/validate-pipeline.ts';

export type CheckResult =
  /** The pipeline loaded, has no errors (warnings allowed) and has an execution plan. */
  | { readonly pipeline: LoadedPipeline; readonly plan: ExecutionPlan; readonly issues: SpecIssue[] }
  | { readonly pipeline?: undefined; readonly plan?: undefined; readonly issues: SpecIssue[] };

/**
 * Loads, validates and plans pipeline text in one step: what `cairn validate` and the API's upload do, so
 * that a pipeline accepted anywhere is one the engine can run.
 *
 * @example
 * const { pipeline, issues } = checkPipelineText(readFileSync('pipeline.yaml', 'utf8'));
 * if (!pipeline) throw new Error(issues.map(formatIssue).join('\n'));
 */
export function checkPipelineText(text: string): CheckResult {
  const { result, locate } = loadPipelineTextWithPositions(text);
  if (result.pipeline === undefined) return { issues: inDocumentOrder(result.issues) };
  const issues = inDocumentOrder([...result.issues, ...locate(validatePipeline(result.pipeline))]);
  if (hasErrors(issues)) return { issues };
  try {
    return { pipeline: result.pipeline, plan: planPipeline(result.pipeline.spec), issues };
  } catch (error) {
    if (!(error instanceof PlanError)) throw error;
    const issue: SpecIssue = {
      code: error.code,
      severity: 'error',
      document: 0,
      path: error.path,
      message: error.reason,
    };
    return { issues: inDocumentOrder([...issues, ...locate([issue])]) };
  }
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
