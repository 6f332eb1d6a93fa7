import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { ArtifactStore, ObjectInfo } from '../../artifacts/artifact-store.ts';
import { taskKeySegment } from '../../engine/executor/task-keys.ts';
import { decodeExecutionDocument } from '../../engine/lineage/execution-document.ts';
import { ARTIFACT_LIVE, CONTEXT_TYPE } from '../../engine/lineage/lineage-vocabulary.ts';
import { inChunks } from '../../engine/lineage/queries/in-chunks.ts';
import { FINAL_RUN_STATES } from '../../engine/runs/run-state.ts';
import { errorMessage } from '../../errors.ts';
import type { CairnDatabase } from '../../store/tables.ts';
import { type ObjectOwner, objectOwner } from './object-owner.ts';
import { isQuarantined, quarantineObject } from './quarantine.ts';
import type { ProblemList, VerifyProblem, VerifyStats } from './verify-report.ts';

/** Objects judged together: their runs and claims are looked up in a few queries. */
const BATCH_SIZE = 500;
/** Progress is reported after this many listed objects. */
const PROGRESS_EVERY = 1000;

export interface UnknownObjectOptions {
  readonly fix: boolean;
  /** An unaccounted object modified less than this long before `startedAt` is not judged. */
  readonly orphanGraceMs: number;
  readonly startedAt: Date;
  /** Where `fix` moves orphans (see `quarantine.ts`). */
  readonly quarantinePrefix: string;
  readonly onListed?: (count: number) => void;
}

interface Listed {
  readonly object: ObjectInfo;
  readonly owner: ObjectOwner | undefined;
}

interface Orphan {
  readonly object: ObjectInfo;
  readonly runId: string | undefined;
  readonly problem: VerifyProblem | undefined;
}

/**
 * Lists every object in the store and accounts for each, reporting the rest as orphans (and with `fix`,
 * moving them into quarantine once the listing is done). An object is accounted for when:
 * - a live artifact row with stored content has its key, or the key of a directory above it;
 * - it is a task's log (`<task>/.cairn-logs/<n>.log`) and its run has that task, or, for a run that was
 *   deleted, an execution that outlived it records the log as its own;
 * - it is a chunk of such a log whose complete log is not stored: the one copy of the log of an attempt
 *   lost with its worker (a chunk beside a complete log should have been deleted, and is an orphan);
 * - it is in quarantine already.
 *
 * The engine writes an output's objects before the transaction that records its artifact row, so a run
 * in flight has objects that no row claims yet. Two rules keep those from being called orphans:
 * - objects of a run that has not ended are not judged at all (counted as in flight);
 * - each batch is listed first and looked up after, runs before artifacts: a run seen ended committed its
 *   rows in the same transaction as its end or earlier, so the artifact lookup that follows sees them.
 * What is left is an object written after its run ended, which the engine only does for a task stopped
 * by a terminated run, whose outputs are discarded anyway. The grace period (`orphanGraceMs`) also leaves
 * unaccounted objects younger than it alone, for writers that are not Cairn's engine, clock skew between
 * this host and an S3 server, and stores whose listings lag their writes.
 */
export async function checkUnknownObjects(
  db: Kysely<CairnDatabase>,
  store: ArtifactStore,
  problems: ProblemList,
  stats: VerifyStats,
  options: UnknownObjectOptions,
): Promise<void> {
  const orphans: Orphan[] = [];
  let batch: Listed[] = [];
  // A batch is judged while the next is listed: the listing waits on the file system or S3, the judging
  // on the database. One batch is judged at a time, so problems are added in listing order.
  let judging: Promise<Orphan[]> | undefined;
  const judgeListed = async (listed: Listed[]) => {
    if (judging !== undefined) orphans.push(...(await judging));
    judging = judge(db, store, problems, stats, options, listed);
  };
  try {
    for await (const object of store.list()) {
      stats.objectsListed++;
      if (stats.objectsListed % PROGRESS_EVERY === 0) options.onListed?.(stats.objectsListed);
      if (isQuarantined(object.key)) {
        stats.objectsInQuarantine++;
        continue;
      }
      batch.push({ object, owner: objectOwner(object.key) });
      if (batch.length === BATCH_SIZE) {
        await judgeListed(batch);
        batch = [];
      }
    }
    await judgeListed(batch);
    orphans.push(...((await judging) ?? []));
  } finally {
    // A listing that failed leaves a judgement under way: it must settle before the check reports.
    await judging?.catch(() => undefined);
  }
  if (options.fix) await quarantineAll(db, store, problems, stats, options.quarantinePrefix, orphans);
}

async function judge(
  db: Kysely<CairnDatabase>,
  store: ArtifactStore,
  problems: ProblemList,
  stats: VerifyStats,
  options: UnknownObjectOptions,
  batch: readonly Listed[],
): Promise<Orphan[]> {
  if (batch.length === 0) return [];
  const owners = batch.flatMap(({ owner }) => (owner === undefined ? [] : [owner]));
  const runStates = new Map(
    (
      await inChunks(unique(owners.map((owner) => owner.runId)), (chunk) =>
        db.selectFrom('runs').select(['id', 'state']).where('id', 'in', chunk).execute(),
      )
    ).map((run) => [run.id, run.state]),
  );
  const claimed = await claimedUris(db, store, batch);
  const ended = (runId: string) => {
    const state = runStates.get(runId);
    return state !== undefined && (FINAL_RUN_STATES as readonly string[]).includes(state);
  };
  const logRuns = unique(owners.filter((owner) => owner.kind !== 'output').map((owner) => owner.runId));
  const tasks = await taskSegments(db, logRuns.filter(ended));
  const recordedLogs = await logsOfDeletedRuns(
    db,
    logRuns.filter((runId) => !runStates.has(runId)),
  );
  const graceStart = options.startedAt.getTime() - options.orphanGraceMs;
  const orphans: Orphan[] = [];
  for (const { object, owner } of batch) {
    if (keyAndParents(object.key).some((key) => claimed.has(uriOf(store, key)))) {
      stats.objectsKnown++;
      continue;
    }
    if (owner !== undefined && runStates.has(owner.runId) && !ended(owner.runId)) {
      stats.objectsInFlight++;
      continue;
    }
    const hasTask = owner !== undefined && tasks.has(`${owner.runId}/${owner.taskSegment}`);
    // A chunk outlives its attempt only when the attempt was lost with its worker: then it is the one copy
    // of that attempt's log. Beside a complete log, it is a leftover the writer failed to delete.
    const knownLog =
      owner?.kind === 'log'
        ? hasTask || recordedLogs.has(object.key)
        : owner?.kind === 'log-chunk' && hasTask && (await store.stat(owner.logKey)) === undefined;
    if (knownLog) {
      stats.objectsKnown++;
      continue;
    }
    if (object.lastModified.getTime() > graceStart) {
      stats.objectsRecent++;
      continue;
    }
    const problem = problems.add(
      'objects',
      'orphan-object',
      orphanReason(object.key, owner, runStates.get(owner?.runId ?? ''), hasTask),
      owner === undefined ? { objectKey: object.key } : { objectKey: object.key, runId: owner.runId },
    );
    orphans.push({ object, runId: owner?.runId, problem });
  }
  return orphans;
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/** `<run id>/<task key segment>` of every task of the runs. */
async function taskSegments(db: Kysely<CairnDatabase>, runIds: readonly string[]): Promise<Set<string>> {
  const rows = await inChunks(runIds, (chunk) =>
    db.selectFrom('tasks').select(['run_id', 'path']).where('run_id', 'in', chunk).execute(),
  );
  return new Set(rows.map((task) => `${task.run_id}/${taskKeySegment(task.path)}`));
}

/**
 * The log keys that executions of deleted runs record (`properties.log`): a deleted run's tasks go, but
 * its executions stay in the lineage, found through the run's context, which is named by the run's id.
 */
async function logsOfDeletedRuns(db: Kysely<CairnDatabase>, runIds: readonly string[]): Promise<Set<string>> {
  const rows = await inChunks(runIds, (chunk) =>
    db
      .selectFrom('contexts as c')
      .innerJoin('context_executions as ce', 'ce.context_id', 'c.id')
      .innerJoin('executions as e', 'e.id', 'ce.execution_id')
      .select('e.metadata')
      .where('c.type', '=', CONTEXT_TYPE.RUN)
      .where('c.name', 'in', chunk)
      .execute(),
  );
  return new Set(
    rows.flatMap(({ metadata }) => {
      const log = decodeExecutionDocument(metadata).properties.log;
      return typeof log === 'string' ? [log] : [];
    }),
  );
}

function orphanReason(
  key: string,
  owner: ObjectOwner | undefined,
  runState: string | undefined,
  hasTask: boolean,
): string {
  if (owner === undefined) {
    return `object ${key} is outside Cairn's layout <pipeline>/<run-id>/<task>/..., and no artifact row records it`;
  }
  if (runState === undefined) {
    return owner.kind === 'output'
      ? `object ${key} belongs to run ${owner.runId}, which does not exist, and no artifact row records it`
      : `object ${key} is a log of run ${owner.runId}, which does not exist, and no execution records it`;
  }
  if (owner.kind === 'output') {
    return `object ${key} belongs to run ${owner.runId}, which has ended ${runState}, but no artifact row records it`;
  }
  if (!hasTask) {
    return `object ${key} is a log of task "${owner.taskSegment}" of run ${owner.runId}, which has no such task`;
  }
  return `object ${key} is a chunk of a log that is stored complete, so the chunk should have been deleted`;
}

/**
 * The URIs of live artifact rows with stored content that name one of the batch's keys or a directory
 * above one, looked up by `uri_sha256` (indexed) and compared in full.
 */
async function claimedUris(
  db: Kysely<CairnDatabase>,
  store: ArtifactStore,
  batch: readonly Listed[],
): Promise<Set<string>> {
  const uris = new Map<string, string>();
  for (const { object } of batch) {
    for (const key of keyAndParents(object.key)) {
      const uri = uriOf(store, key);
      uris.set(createHash('sha256').update(uri).digest('hex'), uri);
    }
  }
  const rows = await inChunks([...uris.keys()], (chunk) =>
    db
      .selectFrom('artifacts')
      .select('uri')
      .where('uri_sha256', 'in', chunk)
      .where('state', '=', ARTIFACT_LIVE)
      .where('content_sha256', 'is not', null)
      .execute(),
  );
  const wanted = new Set(uris.values());
  return new Set(rows.map((row) => row.uri).filter((uri) => wanted.has(uri)));
}

/** `a/b/c` → `a/b/c`, `a/b`, `a`: the object's key and every directory above it. */
function keyAndParents(key: string): string[] {
  const keys = [key];
  for (let slash = key.lastIndexOf('/'); slash > 0; slash = key.lastIndexOf('/', slash - 1)) {
    keys.push(key.slice(0, slash));
  }
  return keys;
}

/** The URI the engine records for an object at `key`: the inverse of `keyInStore`. */
function uriOf(store: ArtifactStore, key: string): string {
  return `${store.url.replace(/\/+$/, '')}/${key}`;
}

/**
 * Moves the orphans into quarantine. A retried run starts again and rewrites its outputs, so the runs of
 * the orphans are read once more first: objects of a run that is no longer ended are left alone, and each
 * object is moved only while it is still the one listed (see `quarantineObject`).
 */
async function quarantineAll(
  db: Kysely<CairnDatabase>,
  store: ArtifactStore,
  problems: ProblemList,
  stats: VerifyStats,
  prefix: string,
  orphans: readonly Orphan[],
): Promise<void> {
  const runIds = unique(orphans.flatMap(({ runId }) => (runId === undefined ? [] : [runId])));
  const restarted = new Set(
    (
      await inChunks(runIds, (chunk) =>
        db
          .selectFrom('runs')
          .select('id')
          .where('id', 'in', chunk)
          .where('state', 'not in', FINAL_RUN_STATES)
          .execute(),
      )
    ).map((run) => run.id),
  );
  for (const { object, runId, problem } of orphans) {
    if (runId !== undefined && restarted.has(runId)) {
      if (problem !== undefined) {
        problem.fix = {
          action: 'failed',
          error: `run ${runId} started again while verify ran; verify again`,
        };
      }
      continue;
    }
    try {
      const to = await quarantineObject(store, object, prefix);
      problems.fixed(problem, { action: 'quarantined', to });
      stats.objectsQuarantined++;
    } catch (error) {
      if (problem !== undefined) problem.fix = { action: 'failed', error: errorMessage(error) };
    }
  }
}
