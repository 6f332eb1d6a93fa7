import { sql } from 'kysely';
import { databaseClock } from '../../engine/leases/database-clock.ts';
import { TASK_STATE } from '../../engine/leases/task-states.ts';
import type { AnyDb, StoreDialect } from '../../store/dialects/store-dialect.ts';
import { withTableSuffix } from '../../store/migrator/migration-context.ts';

export const MAINTENANCE_TABLE = 'cairn_maintenance';

/**
 * `serving`: normal. `draining`: writes through the API are refused, workers claim nothing new and let
 * their running tasks finish, recurring runs fire nothing. `stopping`: as draining, and workers stop
 * their running tasks and give them back to the queue without using up an attempt.
 */
export type MaintenanceMode = 'serving' | 'draining' | 'stopping';

export interface Maintenance {
  mode: MaintenanceMode;
  /** The upgrade plan that set it, if one did. */
  planId: string | null;
  /** Why, in words for whoever is refused a write: e.g. "upgrading to Cairn 0.5.0". */
  reason: string | null;
  /** When the mode was set, on the database clock; null when it never was. */
  since: number | null;
}

export interface MaintenanceChange {
  mode: MaintenanceMode;
  planId: string | null;
  reason: string | null;
}

const ROW_ID = 1;
const MODES: readonly string[] = ['serving', 'draining', 'stopping'] satisfies MaintenanceMode[];
const SERVING: Maintenance = { mode: 'serving', planId: null, reason: null, since: null };

/**
 * The table is created outside the numbered migrations, like the schema history: an upgrade must set
 * maintenance on a database of any earlier schema, before it migrates anything. Its layout is therefore
 * frozen for good: every release, old and new, reads and writes this one row (id = 1) as it is.
 */
export async function ensureMaintenanceTable(db: AnyDb, dialect: StoreDialect): Promise<void> {
  // Looked for first, as the plan tables are (see ensurePlanTables): creating takes the write lock.
  if (await dialect.tableExists(db, MAINTENANCE_TABLE)) return;
  const t = dialect.columnTypes;
  const table = db.schema
    .createTable(MAINTENANCE_TABLE)
    .ifNotExists()
    .addColumn('id', sql.raw(t.integer), (c) => c.primaryKey())
    .addColumn('mode', sql.raw(t.name), (c) => c.notNull())
    .addColumn('plan_id', sql.raw(t.name))
    .addColumn('reason', sql.raw(t.text))
    .addColumn('since', sql.raw(t.timestamp), (c) => c.notNull());
  await withTableSuffix(table, dialect).execute();
}

/**
 * The stored maintenance: serving when the table or its row does not exist (it is never created here,
 * so reading leaves an old database exactly as it was). A mode this release does not know was written
 * by a newer one; it reads as draining, which stops writes and kills nothing.
 */
export async function readMaintenance(db: AnyDb, dialect: StoreDialect): Promise<Maintenance> {
  if (!(await dialect.tableExists(db, MAINTENANCE_TABLE))) return SERVING;
  const row = await db.selectFrom(MAINTENANCE_TABLE).selectAll().where('id', '=', ROW_ID).executeTakeFirst();
  if (row === undefined) return SERVING;
  const stored = String(row.mode);
  const known = MODES.includes(stored);
  const reason = row.reason === null ? null : String(row.reason);
  return {
    mode: known ? (stored as MaintenanceMode) : 'draining',
    planId: row.plan_id === null ? null : String(row.plan_id),
    reason: known ? reason : (reason ?? `maintenance mode "${stored}", set by a newer Cairn`),
    since: Number(row.since),
  };
}

/**
 * Sets the mode, with `since` = the database's now, in one statement (an upsert of the one row). The
 * table must exist (`ensureMaintenanceTable`): no DDL is run here, since MySQL would commit the caller's
 * transaction on it.
 */
export async function setMaintenance(
  db: AnyDb,
  dialect: StoreDialect,
  { mode, planId, reason }: MaintenanceChange,
): Promise<void> {
  const values = { mode, plan_id: planId, reason, since: databaseClock(dialect.name) };
  const insert = db.insertInto(MAINTENANCE_TABLE).values({ id: ROW_ID, ...values });
  await (dialect.name === 'mysql'
    ? insert.onDuplicateKeyUpdate(values)
    : insert.onConflict((conflict) => conflict.column('id').doUpdateSet(values))
  ).execute();
}

/**
 * Tasks a worker holds right now: RUNNING under a lease that has not lapsed on the database clock (the
 * lease columns are as they have been since schema 5). A task whose lease lapsed is not counted: its
 * worker is gone, and a worker of the release that comes next takes it over. 0 before the tasks table
 * exists.
 */
export async function countActiveLeases(db: AnyDb, dialect: StoreDialect): Promise<number> {
  if (!(await dialect.tableExists(db, 'tasks'))) return 0;
  const row = await db
    .selectFrom('tasks')
    .select((eb) => eb.fn.countAll().as('held'))
    .where('state', '=', TASK_STATE.RUNNING)
    .where('lease_expires_at', '>=', databaseClock(dialect.name))
    .executeTakeFirst();
  return Number(row?.held ?? 0);
}
