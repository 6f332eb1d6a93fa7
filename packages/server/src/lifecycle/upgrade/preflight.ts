/** The preflight checks of an upgrade or downgrade: each returns what it found, or throws what stops the plan. */
import { mkdirSync, statfsSync } from 'node:fs';
import { sql } from 'kysely';
import type { ArtifactStore } from '../../artifacts/artifact-store.ts';
import { CairnError } from '../../errors.ts';
import type { AnyDb, StoreDialect } from '../../store/dialects/store-dialect.ts';
import type { Migration } from '../../store/migrator/migration.ts';
import { countRows } from '../backup/restore-target.ts';
import { accepts, describeUse, storedUses } from '../releases/compatibility.ts';
import { type Release, releasesCrossed } from '../releases/release-manifest.ts';
import { COPY_TABLES } from '../rows/copy-tables.ts';
import type { PlanStore, UpgradePlan } from './upgrade-plan.ts';

/**
 * The unfinished plan a new attempt must continue, if its process is gone; refuses while another
 * process is still running one (its heartbeat is fresh). `writerActive` tells, where the database can,
 * whether a process holds its write lock: on SQLite a migration holds the thread, and with it the
 * heartbeat, for as long as it runs, and holds the write lock all that time.
 */
export async function checkNoOtherUpgrade(
  plans: PlanStore,
  staleMs: number,
  writerActive?: () => boolean,
): Promise<UpgradePlan | undefined> {
  const latest = await plans.latest();
  if (!latest || (latest.state !== 'running' && latest.state !== 'rolling-back')) return undefined;
  const age = (await plans.now()) - latest.heartbeatAt;
  if (age < staleMs) throw inProgress(latest, `last heard from ${age} ms ago`);
  if (writerActive?.()) {
    throw inProgress(
      latest,
      `silent for ${age} ms, but a process holds the database's write lock, as a long migration does`,
    );
  }
  return latest;
}

function inProgress(plan: UpgradePlan, heard: string): CairnError {
  return new CairnError(
    'UPGRADE_IN_PROGRESS',
    `an ${plan.kind} is running (plan ${plan.id}, by ${plan.owner}, ${heard}); ` +
      'wait for it, and follow it with `cairn admin upgrade status`',
  );
}

export async function checkStores(db: AnyDb, store: ArtifactStore): Promise<string> {
  await sql`select 1`.execute(db);
  // Listing reaches the store for real (a missing bucket or a bad credential fails here, not mid-backup).
  for await (const _object of store.list()) break;
  return `database and ${store.url} answer`;
}

/**
 * A database without migration history must hold none of Cairn's tables: its plan's rollback, where DDL
 * is not transactional, drops every table the migrations make, which is only right if none was there.
 */
export async function checkNewDatabase(db: AnyDb): Promise<string> {
  const present = new Set((await db.introspection.getTables()).map((table) => table.name));
  const found = COPY_TABLES.map((table) => table.name).filter((name) => present.has(name));
  if (found.length > 0) {
    throw new CairnError(
      'UPGRADE_REFUSED',
      `the database has no migration history but holds Cairn's tables (${found.join(', ')}), so it is ` +
        'not new and its schema is unknown; restore it with `cairn admin restore`, or drop those tables ' +
        'if nothing in them is needed',
    );
  }
  return "a new database: none of Cairn's tables";
}

/**
 * Stored pipelines (versions, and recurring runs' inline specs) the target release cannot run, by the
 * compatibility matrix of releases.yaml: they would stop working, so the plan stops before it starts.
 */
export async function checkCompatibility(db: AnyDb, dialect: StoreDialect, target: Release): Promise<string> {
  const uses = await storedUses(db, dialect);
  const refused = uses.filter((use) => !accepts(target, use));
  if (refused.length > 0) {
    throw new CairnError(
      'UPGRADE_REFUSED',
      `release ${target.version} cannot run what is stored: ${refused.map(describeUse).join('; ')}`,
    );
  }
  return uses.length === 0 ? 'no stored pipelines' : uses.map(describeUse).join('; ');
}

/** A downgrade refuses to cross a migration whose down step cannot give back what its up step changed. */
export function checkReversible(migrations: readonly Migration[], target: number, from: number): string {
  const crossing = migrations.filter((migration) => migration.version > target && migration.version <= from);
  const irreversible = crossing.filter((migration) => migration.irreversible !== undefined);
  if (irreversible.length > 0) {
    throw new CairnError(
      'UPGRADE_REFUSED',
      `cannot downgrade to schema ${target}: ${irreversible
        .map((migration) => `${migration.name} is irreversible (${migration.irreversible})`)
        .join('; ')}; restore a backup taken before it instead`,
    );
  }
  return `${crossing.length} migration(s) to revert, all reversible`;
}

/** Rows per Cairn table present in the database. */
export async function countTableRows(db: AnyDb, dialect: StoreDialect): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const { name } of COPY_TABLES) {
    if (await dialect.tableExists(db, name)) counts[name] = await countRows(db, name);
  }
  return counts;
}

/** The backup holds the database's rows and every object; the disk it goes to must have room for both. */
export async function checkDiskSpace(
  db: AnyDb,
  dialect: StoreDialect,
  store: ArtifactStore,
  dir: string,
): Promise<string> {
  mkdirSync(dir, { recursive: true });
  let objectBytes = 0;
  for await (const object of store.list()) objectBytes += object.size;
  const needed = (await dialect.databaseBytes(db)) + objectBytes;
  const stats = statfsSync(dir);
  const free = stats.bavail * stats.bsize;
  const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  if (free < needed) {
    throw new CairnError(
      'UPGRADE_REFUSED',
      `${dir} has ${mib(free)} free and the backup needs about ${mib(needed)}; free space, pass ` +
        '--backup-dir with a larger disk, or --no-backup to go without one',
    );
  }
  return `about ${mib(needed)} needed, ${mib(free)} free in ${dir}`;
}

/** What a person must read before the plan changes anything. */
export function notesToConfirm(
  plan: Pick<UpgradePlan, 'kind' | 'fromSchema' | 'toSchema'> & { options: { backup: boolean } },
): string[] {
  const releases =
    plan.kind === 'upgrade'
      ? releasesCrossed(plan.fromSchema, plan.toSchema)
      : releasesCrossed(plan.toSchema, plan.fromSchema).toReversed();
  const notes = releases.flatMap((release) => [
    ...release.breakingChanges.map((text) => `${release.version} BREAKING: ${text}`),
    ...release.notices.map((text) => `${release.version}: ${text}`),
  ]);
  if (plan.kind === 'downgrade') {
    notes.unshift(
      `Downgrading from schema ${plan.fromSchema} to ${plan.toSchema}: what the newer releases added to the ` +
        'schema is removed, with the data in it.',
    );
  }
  if (!plan.options.backup) {
    notes.unshift(
      'No backup will be taken (--no-backup): a failed migration on MySQL cannot be rolled back.',
    );
  }
  return notes;
}
