import type { VerifyProblem, VerifyReport } from './verify-report.ts';

/** One sentence on the outcome, e.g. `3 problems found (1 fixed): 2 orphan-object, 1 artifact-missing`. */
export function verifySummary(report: Pick<VerifyReport, 'outcome' | 'problems' | 'omitted'>): string {
  if (report.outcome === 'clean') return 'the deployment is clean: every check passed';
  const byKind = new Map<string, number>(Object.entries(report.omitted));
  for (const problem of report.problems) byKind.set(problem.kind, (byKind.get(problem.kind) ?? 0) + 1);
  const total = [...byKind.values()].reduce((sum, count) => sum + count, 0);
  const kinds = [...byKind].map(([kind, count]) => `${count} ${kind}`).join(', ');
  const found = `${total} problem${total === 1 ? '' : 's'} found`;
  if (report.outcome === 'fixed') return `${found} and all fixed (${kinds}); verify again to confirm`;
  const fixed = report.problems.filter((problem) => problem.fix?.action === 'quarantined').length;
  return `${found}${fixed > 0 ? ` (${fixed} fixed)` : ''}: ${kinds}`;
}

/**
 * The report as plain lines for a log or a failed assertion: the summary, then each listed problem with
 * its ids and what `--fix` did, then how many were left out.
 *
 * @example
 * assert.equal(report.outcome, 'clean', describeVerifyReport(report).join('\n'));
 */
export function describeVerifyReport(report: VerifyReport): string[] {
  const omitted = Object.entries(report.omitted).map(
    ([kind, count]) => `  ... and ${count} more ${kind} not listed`,
  );
  return [verifySummary(report), ...report.problems.map(describeProblem), ...omitted];
}

function describeProblem(problem: VerifyProblem): string {
  const fix =
    problem.fix === undefined
      ? ''
      : problem.fix.action === 'quarantined'
        ? ` [quarantined to ${problem.fix.to}]`
        : ` [quarantine failed: ${problem.fix.error}]`;
  return `  ${problem.kind}: ${problem.message}${fix}`;
}
