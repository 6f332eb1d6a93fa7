/** A migrated test database per dialect, with runs and tasks to record lineage for, as the engine would. */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { claimTasks } from '../../../src/engine/leases/claim-tasks.ts';
import { completeTask } from '../../../src/engine/leases/complete-task.ts';
import type { ExtraWrites } from '../../../src/engine/leases/extra-writes.ts';
import { TASK_STATE } from '../../../src/engine/leases/task-states.ts';
import { connectDatabase } from '../../../src/store/connect-database.ts';
import type { DialectName, StoreDialect } from '../../../src/store/dialects/store-dialect.ts';
import { Migrator } from '../../../src/store/migrator/migrator.ts';
import type { CairnDatabase } from '../../../src/store/tables.ts';
import { createTestDatabase } from '../../support/test-databases.ts';

export interface LineageDatabase {
  db: Kysely<CairnDatabase>;
  dialect: StoreDialect;
  /** For child processes. */
  url: string;
  close(): Promise<void>;
}

export async function createLineageDatabase(dialect: DialectName): Promise<LineageDatabase> {
  const database = await createTestDatabase(dialect);
  const handle = await connectDatabase(database.location);
  const outcome = await new Migrator({ db: handle.db, dialect: handle.dialect }).migrateTo();
  if (outcome.error) throw outcome.error;
  return {
    db: handle.db,
    dialect: handle.dialect,
    url: database.url,
    async close() {
      await handle.close();
      await database.drop();
    },
  };
}

export async function insertRun(db: Kysely<CairnDatabase>, displayName = 'lineage test'): Promise<string> {
  const now = Date.now();
  const id = randomUUID();
  await db
    .insertInto('runs')
    .values({
      id,
      display_name: displayName,
      runtime_config: '{}',
      state: 'RUNNING',
      created_at: now,
      updated_at: now,
    })
    .execute();
  return id;
}

/** A QUEUED container task of `runId`, ready to be claimed. */
export async function insertTask(
  db: Kysely<CairnDatabase>,
  runId: string,
  name: string,
  fields: { cache_fingerprint?: string; path?: string } = {},
): Promise<string> {
  const now = Date.now();
  const id = randomUUID();
  await db
    .insertInto('tasks')
    .values({
      id,
      run_id: runId,
      path: fields.path ?? `root/${name}`,
      name,
      kind: 'CONTAINER',
      state: TASK_STATE.QUEUED,
      ready_at: now - 60_000,
      cache_fingerprint: fields.cache_fingerprint ?? null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  return id;
}

/**
 * Runs one task's lifecycle as a worker does: claims it (it must be the only claimable task), then
 * completes it with `state`, writing `lineage` in the completion's transaction.
 */
export async function claimAndComplete(
  { db, dialect }: Pick<LineageDatabase, 'db' | 'dialect'>,
  taskId: string,
  lineage: ExtraWrites,
  state: 'SUCCEEDED' | 'FAILED' = 'SUCCEEDED',
): Promise<void> {
  const [claimed, ...others] = await claimTasks(db, dialect, {
    owner: 'lineage-test',
    limit: 2,
    leaseMs: 60_000,
  });
  if (claimed?.id !== taskId || others.length > 0) {
    throw new Error(
      `expected to claim task ${taskId} alone, claimed ${[claimed, ...others].map((t) => t?.id)}`,
    );
  }
  const completed = await completeTask(
    db,
    dialect,
    { taskId, token: claimed.lease_token, state, outputs: '{}' },
    lineage,
  );
  if (!completed) throw new Error(`task ${taskId} did not complete`);
}
