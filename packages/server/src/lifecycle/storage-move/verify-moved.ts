import type { Kysely } from 'kysely';
import type { ArtifactStore } from '../../artifacts/artifact-store.ts';
import type { StoreDialect } from '../../store/dialects/store-dialect.ts';
import type { CairnDatabase } from '../../store/tables.ts';
import { type VerifyProgress, verifyDeployment } from '../verify/verify-deployment.ts';
import type { ProblemKind, VerifyProblem, VerifyReport } from '../verify/verify-report.ts';

export interface VerifiedEnd {
  readonly db: Kysely<CairnDatabase>;
  readonly dialect: StoreDialect;
  readonly store: ArtifactStore;
}

export interface MovedVerify {
  /** The target's report, recorded in its lifecycle_audit. */
  readonly target: VerifyReport;
  /** Problems of the target that the source has too: the move carried them over, it did not make them. */
  readonly inherited: number;
  /** Problems the source does not have, listed (up to the report's limit). */
  readonly introduced: readonly VerifyProblem[];
  /** How many problems the source does not have, the unlisted ones included. */
  readonly introducedCount: number;
}

/**
 * Runs `verifyDeployment` on the target, with the hash check as asked and no grace for new objects (every
 * object the move copied is new). A clean report ends it. Otherwise the source is verified the same way,
 * without leaving any row there, and each of the target's problems that the source has too (same kind,
 * same rows and objects) is set aside as inherited: the move must not block on damage it did not do, nor
 * hide any it did. A check that could not run on the target is never inherited.
 */
export async function verifyMoved(
  source: VerifiedEnd,
  target: VerifiedEnd,
  options: { hash: boolean; actor?: string; onProgress?: (event: VerifyProgress) => void },
): Promise<MovedVerify> {
  const common = { hash: options.hash, orphanGraceMs: 0 };
  const report = await verifyDeployment({
    db: target.db,
    dialect: target.dialect,
    artifacts: target.store,
    ...common,
    ...(options.actor === undefined ? {} : { actor: options.actor }),
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
  });
  if (report.outcome === 'clean') return { target: report, inherited: 0, introduced: [], introducedCount: 0 };
  const sourceReport = await verifyDeployment({
    db: source.db,
    dialect: source.dialect,
    artifacts: source.store,
    ...common,
    record: false,
  });
  const known = new Set(sourceReport.problems.map(problemKey));
  const introduced = report.problems.filter(
    (problem) =>
      problem.kind === 'check-failed' ||
      !(known.has(problemKey(problem)) || (sourceReport.omitted[problem.kind] ?? 0) > 0),
  );
  // Problems beyond the listing limit cannot be matched one by one: those a kind has beyond the source's
  // count of it are new.
  let unlisted = 0;
  for (const kind of Object.keys(report.omitted) as ProblemKind[]) {
    unlisted += Math.max(0, countOf(report, kind) - countOf(sourceReport, kind));
  }
  const introducedCount = introduced.length + unlisted;
  return { target: report, inherited: totalOf(report) - introducedCount, introduced, introducedCount };
}

/** A problem's identity across the two deployments: its kind and the rows and objects it names. */
function problemKey(problem: VerifyProblem): string {
  const ids = Object.entries(problem.ids).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([problem.kind, ids]);
}

function countOf(report: VerifyReport, kind: ProblemKind): number {
  return report.problems.filter((problem) => problem.kind === kind).length + (report.omitted[kind] ?? 0);
}

function totalOf(report: VerifyReport): number {
  return report.problems.length + Object.values(report.omitted).reduce((sum, count) => sum + count, 0);
}
