import type { Kysely } from 'kysely';
import type { ArtifactStore } from '../../artifacts/artifact-store.ts';
import { errorMessage } from '../../errors.ts';
import type { StoreDialect } from '../../store/dialects/store-dialect.ts';
import type { CairnDatabase } from '../../store/tables.ts';
import { checkArtifactContent } from './check-artifact-content.ts';
import { checkReferences } from './check-references.ts';
import { checkRunStates } from './check-run-states.ts';
import { checkSchema } from './check-schema.ts';
import { checkUnknownObjects } from './check-unknown-objects.ts';
import { quarantinePrefix } from './quarantine.ts';
import { finishVerifyAudit, startVerifyAudit } from './verify-audit.ts';
import { DEFAULT_HASH_CONCURRENCY, DEFAULT_ORPHAN_GRACE_MS } from './verify-defaults.ts';
import {
  type CheckResult,
  ProblemList,
  VERIFY_CHECKS,
  type VerifyCheckName,
  type VerifyOptionsUsed,
  type VerifyReport,
  type VerifyStats,
} from './verify-report.ts';

export type VerifyProgress =
  | { readonly phase: 'start'; readonly check: VerifyCheckName }
  /** Artifacts checked so far (`artifacts`), or objects listed (`objects`). */
  | { readonly phase: 'progress'; readonly check: VerifyCheckName; readonly count: number }
  | { readonly phase: 'done'; readonly check: VerifyCheckName; readonly result: CheckResult };

export interface VerifyDeploymentOptions {
  readonly db: Kysely<CairnDatabase>;
  readonly dialect: StoreDialect;
  readonly artifacts: ArtifactStore;
  /** Move orphan objects into quarantine (see `quarantine.ts`); nothing else is ever changed. */
  readonly fix?: boolean;
  /** Read every stored byte and compare SHA-256 digests (the default); false compares sizes only. */
  readonly hash?: boolean;
  /** Artifacts read at once. Default DEFAULT_HASH_CONCURRENCY. */
  readonly concurrency?: number;
  /** Unaccounted objects younger than this are not judged. Default DEFAULT_ORPHAN_GRACE_MS. */
  readonly orphanGraceMs?: number;
  /** Who runs the verify, for the audit row. */
  readonly actor?: string;
  /**
   * Leave a row in `lifecycle_audit` (the default). A storage move verifies its source with false: it
   * promises to change nothing there.
   */
  readonly record?: boolean;
  readonly onProgress?: (event: VerifyProgress) => void;
}

/**
 * Checks a deployment's integrity across both stores and returns what it found; it rejects only when it
 * cannot record its start in the audit table. The checks (see VERIFY_CHECKS), in order:
 * - schema: `checkSchema`. When the schema is not this code's, the other checks are skipped, since they
 *   read the tables as this code knows them;
 * - references: `checkReferences`;
 * - run-states: `checkRunStates`;
 * - artifacts: `checkArtifactContent`;
 * - objects: `checkUnknownObjects`, which alone changes anything, and only with `fix`.
 * A check that fails (a query error, an unreachable store) is reported as a `check-failed` problem and
 * the others still run. The verify is recorded in `lifecycle_audit` when the schema is current and its
 * history agrees with this code (a database another release owns is never written to), unless `record`
 * is false.
 *
 * @example
 * const report = await verifyDeployment({ db, dialect, artifacts: store });
 * if (report.outcome !== 'clean') console.error(describeVerifyReport(report).join('\n'));
 */
export async function verifyDeployment(options: VerifyDeploymentOptions): Promise<VerifyReport> {
  const { db, dialect, artifacts: store, onProgress } = options;
  const startedAt = new Date();
  const used: VerifyOptionsUsed = {
    fix: options.fix ?? false,
    hash: options.hash ?? true,
    concurrency: options.concurrency ?? DEFAULT_HASH_CONCURRENCY,
    orphanGraceMs: options.orphanGraceMs ?? DEFAULT_ORPHAN_GRACE_MS,
  };
  const problems = new ProblemList();
  const stats = emptyStats();
  const checks: CheckResult[] = [];
  const assemble = (): Omit<VerifyReport, 'audit'> => ({
    outcome: problems.outcome(),
    artifactStore: store.url,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    options: used,
    checks,
    problems: problems.problems,
    omitted: problems.omitted,
    stats,
  });

  const runCheck = async (name: VerifyCheckName, body: () => Promise<string>): Promise<void> => {
    onProgress?.({ phase: 'start', check: name });
    const started = performance.now();
    let note: string;
    try {
      note = await body();
    } catch (error) {
      note = 'could not complete';
      problems.add(name, 'check-failed', `the ${name} check failed: ${errorMessage(error)}`, {});
    }
    const count = problems.countFor(name);
    const result: CheckResult = {
      name,
      description: VERIFY_CHECKS[name],
      status: count === 0 ? 'passed' : 'failed',
      problems: count,
      note,
      durationMs: Math.round(performance.now() - started),
    };
    checks.push(result);
    onProgress?.({ phase: 'done', check: name, result });
  };
  const skip = (name: VerifyCheckName, why: string): void => {
    const result: CheckResult = {
      name,
      description: VERIFY_CHECKS[name],
      status: 'skipped',
      problems: 0,
      note: why,
      durationMs: 0,
    };
    checks.push(result);
    onProgress?.({ phase: 'done', check: name, result });
  };

  // All stay false when the schema check itself fails (an unreachable database, say).
  const schema = { read: false, current: false, writable: false };
  await runCheck('schema', async () => {
    const checked = await checkSchema(db, dialect, problems);
    Object.assign(schema, { read: true, current: checked.current, writable: checked.writable });
    return checked.note;
  });
  if (!schema.current) {
    const why = schema.read
      ? "skipped: the database's schema is not this code's, so its tables cannot be read"
      : 'skipped: the schema could not be checked';
    for (const name of ['references', 'run-states', 'artifacts', 'objects'] as const) skip(name, why);
    return {
      ...assemble(),
      audit: { skipped: 'the schema is not current, so the database is not written to' },
    };
  }

  const record = options.record !== false;
  const auditId =
    schema.writable && record
      ? await startVerifyAudit(db, dialect, options.actor, store.url, used)
      : undefined;
  await runCheck('references', async () => {
    await checkReferences(db, problems);
    return 'foreign keys and run specs';
  });
  await runCheck('run-states', async () => {
    await checkRunStates(db, problems);
    return 'runs, tasks and state histories';
  });
  await runCheck('artifacts', async () => {
    await checkArtifactContent(db, store, problems, stats, {
      hash: used.hash,
      concurrency: used.concurrency,
      onChecked: (count) => onProgress?.({ phase: 'progress', check: 'artifacts', count }),
    });
    const read = used.hash
      ? `${count(stats.objectsHashed, 'object')} (${count(stats.bytesHashed, 'byte')}) hashed`
      : 'sizes only, not hashed';
    return (
      `${count(stats.artifactsChecked, 'artifact')} with stored content (${read}); ` +
      `${stats.artifactsWithoutContent} with nothing stored here`
    );
  });
  await runCheck('objects', async () => {
    await checkUnknownObjects(db, store, problems, stats, {
      fix: used.fix,
      orphanGraceMs: used.orphanGraceMs,
      startedAt,
      quarantinePrefix: quarantinePrefix(startedAt),
      onListed: (count) => onProgress?.({ phase: 'progress', check: 'objects', count }),
    });
    return (
      `${count(stats.objectsListed, 'object')} listed: ${stats.objectsKnown} accounted for, ${stats.objectsInFlight} ` +
      `of runs in flight, ${stats.objectsRecent} too recent to judge, ${stats.objectsInQuarantine} in quarantine` +
      (used.fix ? `; ${stats.objectsQuarantined} moved into quarantine` : '')
    );
  });
  const report = assemble();
  if (auditId === undefined) {
    return {
      ...report,
      audit: {
        skipped: record
          ? 'the schema history disagrees with this code, so the database is not written to'
          : 'not recorded, as asked',
      },
    };
  }
  try {
    await finishVerifyAudit(db, dialect, auditId, report);
    return { ...report, audit: { id: auditId } };
  } catch (error) {
    return {
      ...report,
      audit: { skipped: `completing audit row ${auditId} failed: ${errorMessage(error)}` },
    };
  }
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function emptyStats(): VerifyStats {
  return {
    artifactsChecked: 0,
    artifactsWithoutContent: 0,
    objectsHashed: 0,
    bytesHashed: 0,
    objectsListed: 0,
    objectsKnown: 0,
    objectsInFlight: 0,
    objectsRecent: 0,
    objectsInQuarantine: 0,
    objectsQuarantined: 0,
  };
}
