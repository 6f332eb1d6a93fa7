/** A migrated test database per dialect, and rows to claim in it. */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Insertable, Kysely, Selectable } from 'kysely';
import { databaseNow } from '../../../src/engine/leases/database-now.ts';
import { TASK_STATE } from '../../../src/engine/leases/task-states.ts';
import { connectDatabase } from '../../../src/store/connect-database.ts';
import type { DialectName, StoreDialect } from '../../../src/store/dialects/store-dialect.ts';
import { Migrator } from '../../../src/store/migrator/migrator.ts';
import type { DatabaseHandle } from '../../../src/store/open-database.ts';
import type { CairnDatabase, TasksTable } from '../../../src/store/tables.ts';
import { createTestDatabase } from '../../support/test-databases.ts';

export interface LeaseDatabase {
  db: Kysely<CairnDatabase>;
  dialect: StoreDialect;
  /** For child processes. */
  url: string;
  /** Another pool on the same database: separate connections, as another worker process would have. */
  connect(): Promise<DatabaseHandle>;
  close(): Promise<void>;
}

export async function createLeaseDatabase(dialect: DialectName): Promise<LeaseDatabase> {
  const database = await createTestDatabase(dialect);
  const handle = await connectDatabase(database.location);
  const outcome = await new Migrator({ db: handle.db, dialect: handle.dialect }).migrateTo();
  if (outcome.error) throw outcome.error;
  const others: DatabaseHandle[] = [];
  return {
    db: handle.db,
    dialect: handle.dialect,
    url: database.url,
    async connect() {
      const other = await connectDatabase(database.location);
      others.push(other);
      return other;
    },
    async close() {
      for (const other of others) await other.close();
      await handle.close();
      await database.drop();
    },
  };
}

export type TaskRow = Selectable<TasksTable>;
type TaskSeed = Partial<Insertable<TasksTable>>;

/** Inserts a run with one task per seed (QUEUED and ready since a minute ago unless the seed says otherwise). */
export async function seedTasks(db: Kysely<CairnDatabase>, seeds: TaskSeed[]): Promise<string[]> {
  const now = Date.now();
  const runId = randomUUID();
  await db
    .insertInto('runs')
    .values({
      id: runId,
      display_name: 'lease test',
      runtime_config: '{}',
      state: 'RUNNING',
      created_at: now,
      updated_at: now,
    })
    .execute();
  const ids: string[] = [];
  for (const [i, seed] of seeds.entries()) {
    const id = seed.id ?? randomUUID();
    ids.push(id);
    await db
      .insertInto('tasks')
      .values({
        id,
        run_id: runId,
        path: `root/task-${i}`,
        name: `task-${i}`,
        kind: 'CONTAINER',
        state: TASK_STATE.QUEUED,
        ready_at: now - 60_000,
        created_at: now,
        updated_at: now,
        ...seed,
      })
      .execute();
  }
  return ids;
}

export async function readTask(db: Kysely<CairnDatabase>, id: string): Promise<TaskRow> {
  const row = await db.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  return { ...row };
}

export async function readTasks(db: Kysely<CairnDatabase>, ids: readonly string[]): Promise<TaskRow[]> {
  return Promise.all(ids.map((id) => readTask(db, id)));
}

/** Waits until the database clock is past `instant`. */
export async function waitForDatabaseTime(
  db: Kysely<CairnDatabase>,
  dialect: StoreDialect,
  instant: number,
): Promise<void> {
  for (;;) {
    const now = await databaseNow(db, dialect);
    if (now > instant) return;
    await sleep(Math.min(instant - now + 1, 200));
  }
}
