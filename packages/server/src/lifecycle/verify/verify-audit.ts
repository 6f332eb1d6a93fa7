/**
 * Each verify leaves a row in `lifecycle_audit` (operation `verify`): written RUNNING when it starts, so
 * that one that never finished (its process died) shows, and completed with its outcome (CLEAN, FIXED or
 * PROBLEMS) and a summary of what it found.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { databaseNow } from '../../engine/leases/database-now.ts';
import type { StoreDialect } from '../../store/dialects/store-dialect.ts';
import type { CairnDatabase } from '../../store/tables.ts';
import { CAIRN_VERSION } from '../../version.ts';
import type { ProblemKind, VerifyOptionsUsed, VerifyOutcome, VerifyReport } from './verify-report.ts';

export const VERIFY_OPERATION = 'verify';

/** `lifecycle_audit.outcome` of a finished verify: its report's outcome. */
const OUTCOME: Record<VerifyOutcome, string> = { clean: 'CLEAN', fixed: 'FIXED', problems: 'PROBLEMS' };
/** A verify still running, or one whose process died before it finished. */
const RUNNING = 'RUNNING';

/** The audit row keeps a sample of the problems; the report has them all. */
const PROBLEMS_KEPT = 100;

export async function startVerifyAudit(
  db: Kysely<CairnDatabase>,
  dialect: StoreDialect,
  actor: string | undefined,
  artifactStore: string,
  options: VerifyOptionsUsed,
): Promise<string> {
  const id = randomUUID();
  await db
    .insertInto('lifecycle_audit')
    .values({
      id,
      operation: VERIFY_OPERATION,
      actor: actor ?? null,
      from_version: null,
      // The release that checked the deployment; verify changes no version.
      to_version: CAIRN_VERSION,
      outcome: RUNNING,
      details: JSON.stringify({ artifactStore, options }),
      started_at: await databaseNow(db, dialect),
      finished_at: null,
    })
    .execute();
  return id;
}

/** Completes the row with the report's outcome and a summary of it. */
export async function finishVerifyAudit(
  db: Kysely<CairnDatabase>,
  dialect: StoreDialect,
  id: string,
  report: Omit<VerifyReport, 'audit'>,
): Promise<void> {
  await db
    .updateTable('lifecycle_audit')
    .set({
      outcome: OUTCOME[report.outcome],
      details: JSON.stringify(summary(report)),
      finished_at: await databaseNow(db, dialect),
    })
    .where('id', '=', id)
    .execute();
}

function summary(report: Omit<VerifyReport, 'audit'>) {
  const byKind: Partial<Record<ProblemKind, number>> = { ...report.omitted };
  for (const problem of report.problems) byKind[problem.kind] = (byKind[problem.kind] ?? 0) + 1;
  return {
    artifactStore: report.artifactStore,
    options: report.options,
    checks: report.checks.map(({ name, status, problems }) => ({ name, status, problems })),
    problemsByKind: byKind,
    problems: report.problems
      .slice(0, PROBLEMS_KEPT)
      .map(({ kind, ids, fix }) => ({ kind, ids, ...(fix === undefined ? {} : { fix }) })),
    stats: report.stats,
  };
}
