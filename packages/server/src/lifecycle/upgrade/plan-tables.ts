/**
 * An upgrade's plan and the state of each of its steps, recorded as it goes so that a crashed upgrade is
 * visible (`cairn admin upgrade status`) and the next attempt resumes or rolls it back.
 *
 * Like the migrator's history table, these tables are created outside the numbered migrations: an
 * upgrade records its plan before it migrates, on a database of any earlier schema. Their layout is
 * therefore frozen for good: every release, old and new, must be able to read them.
 */
import { sql } from 'kysely';
import type { AnyDb, ColumnTypes, StoreDialect } from '../../store/dialects/store-dialect.ts';
import { withTableSuffix } from '../../store/migrator/migration-context.ts';

export const PLANS_TABLE = 'cairn_upgrade_plans';
export const STEPS_TABLE = 'cairn_upgrade_steps';

export async function ensurePlanTables(db: AnyDb, dialect: StoreDialect): Promise<void> {
  // Looked for first: on SQLite even `create table if not exists` waits for the write lock, which a
  // running upgrade holds for as long as a migration takes, and an attempt must get as far as saying so.
  if ((await dialect.tableExists(db, PLANS_TABLE)) && (await dialect.tableExists(db, STEPS_TABLE))) return;
  const t = (kind: keyof ColumnTypes) => sql.raw(dialect.columnTypes[kind]);
  const plans = db.schema
    .createTable(PLANS_TABLE)
    .ifNotExists()
    .addColumn('id', t('uuid'), (c) => c.primaryKey())
    // 'upgrade' or 'downgrade'.
    .addColumn('kind', t('name'), (c) => c.notNull())
    .addColumn('state', t('name'), (c) => c.notNull())
    .addColumn('from_release', t('name'))
    .addColumn('to_release', t('name'))
    .addColumn('from_schema', t('integer'), (c) => c.notNull())
    .addColumn('to_schema', t('integer'), (c) => c.notNull())
    // The Cairn release whose code runs the plan: another release must not resume it.
    .addColumn('cairn_version', t('name'), (c) => c.notNull())
    // JSON: the options it was started with.
    .addColumn('options', t('largeText'), (c) => c.notNull())
    .addColumn('backup', t('text'))
    .addColumn('error', t('text'))
    .addColumn('owner', t('name'), (c) => c.notNull())
    .addColumn('heartbeat_at', t('timestamp'), (c) => c.notNull())
    .addColumn('created_at', t('timestamp'), (c) => c.notNull())
    .addColumn('finished_at', t('timestamp'));
  await withTableSuffix(plans, dialect).execute();
  const steps = db.schema
    .createTable(STEPS_TABLE)
    .ifNotExists()
    .addColumn('plan_id', t('uuid'), (c) => c.notNull())
    .addColumn('seq', t('integer'), (c) => c.notNull())
    .addColumn('phase', t('name'), (c) => c.notNull())
    .addColumn('name', t('name'), (c) => c.notNull())
    .addColumn('state', t('name'), (c) => c.notNull())
    // What the step found or did, for a person: counts, the backup file, the error.
    .addColumn('detail', t('text'))
    .addColumn('started_at', t('timestamp'))
    .addColumn('finished_at', t('timestamp'))
    .addPrimaryKeyConstraint(`${STEPS_TABLE}_pk`, ['plan_id', 'seq']);
  await withTableSuffix(steps, dialect).execute();
}
