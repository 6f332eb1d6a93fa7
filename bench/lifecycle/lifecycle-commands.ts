/**
 * The lifecycle on a large history, timed as an operator meets it: each `cairn admin` command runs as its
 * own process, against the same data as the plain tool it is compared with, in the same run.
 *
 * - backup and restore against `tar -cf` and `tar -xf` of the SQLite file and the artifact folder
 *   (goal: at most 1.5×), each with SQLite's own floor for its rows (see `sqlite-floors.ts`);
 * - `migrate-storage` SQLite → PostgreSQL against `psql` loading the same rows with COPY (a data-only
 *   `pg_dump` of the moved database, into a database migrated to the same schema; goal: at most 2×);
 * - `upgrade` across every migration since the first release (schema 7 to the newest, down-migrated
 *   first), on SQLite and on PostgreSQL, with its backup, drain and verify (goal: under a minute).
 *
 *   npm run bench:lifecycle [-- --runs 100000 --lineage-every 20 --max-model-kib 256 --steps backup,move,upgrade --keep]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { compile, containerComponent, Parameter, pipeline } from '@cairn/sdk';
import type { UpgradePlan } from '@cairn/sdk/api';
import { FsArtifactStore } from '../../packages/server/src/artifacts/fs-artifact-store.ts';
import { COPY_TABLES } from '../../packages/server/src/lifecycle/rows/copy-tables.ts';
import { connectDatabase } from '../../packages/server/src/store/connect-database.ts';
import { parseDatabaseUrl } from '../../packages/server/src/store/database-url.ts';
import { LATEST_SCHEMA_VERSION } from '../../packages/server/src/store/migrations/index.ts';
import { Migrator } from '../../packages/server/src/store/migrator/migrator.ts';
import { createPostgresDatabase, type PostgresDatabase } from './postgres-database.ts';
import { seedHistory } from './seed-history.ts';
import { insertSelectFloor, jsonLinesFloor } from './sqlite-floors.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '100000' },
    'lineage-every': { type: 'string', default: '20' },
    'max-model-kib': { type: 'string', default: '256' },
    steps: { type: 'string', default: 'backup,move,upgrade' },
    keep: { type: 'boolean', default: false },
  },
});
const STEPS = ['backup', 'move', 'upgrade'] as const;
const steps = new Set(
  values.steps.split(',').map((name) => {
    if (!(STEPS as readonly string[]).includes(name)) {
      throw new Error(`--steps: unknown "${name}"; expected some of ${STEPS.join(', ')}`);
    }
    return name;
  }),
);
const runs = Number(values.runs);
const lineageEvery = Number(values['lineage-every']);
const maxModelBytes = Number(values['max-model-kib']) * 1024;

/** The first release's schema: an upgrade from it crosses every migration that has data to carry. */
const FIRST_RELEASE_SCHEMA = 7;
const CAIRN = path.resolve(import.meta.dirname, '../../packages/server/bin/cairn.js');
const GOALS = { backup: 1.5, restore: 1.5, move: 2, upgradeSeconds: 60 };

interface Timed {
  readonly seconds: number;
  readonly stdout: string;
}

/** Runs a command to its end and returns its wall time; any failure stops the benchmark with its output. */
function timed(command: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Timed {
  const started = performance.now();
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    maxBuffer: 256 * 1024 * 1024,
  });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} exited ${result.status ?? result.signal}\n${result.stdout}\n${result.stderr}`,
    );
  }
  return { seconds, stdout: result.stdout };
}

function cairn(args: readonly string[]): Timed {
  return timed(process.execPath, [CAIRN, ...args], { CAIRN_HOME: path.join(scratch, 'home') });
}

/** The benchmark's pipeline: the spec its pipeline versions store. */
function specText(): string {
  const step = containerComponent({
    name: 'train',
    image: 'python:3.11',
    inputs: { epochs: Parameter.Integer },
    command: ({ inputs }) => ['python', '-m', 'train', '--epochs', inputs.epochs],
  });
  return compile(
    pipeline({ name: 'bench-train', inputs: { epochs: Parameter.Integer } }, ({ epochs }) => {
      step({ epochs });
    }),
  );
}

/** Backup and restore against tar of the same files. A first tar warms the page cache for both. */
function benchBackup(): void {
  const baselineTar = path.join(scratch, 'baseline.tar');
  const tarArgs = ['-cf', baselineTar, '-C', scratch, 'metadata.sqlite', 'artifacts'];
  timed('tar', tarArgs);
  const backupFile = path.join(scratch, 'backup.tar');
  const backup = cairn(['admin', 'backup', '--out', backupFile, ...sqliteStores]);
  const tarBackup = timed('tar', tarArgs);
  // A backup is durable when it returns (its archive fsynced); tar leaves its file to the page cache.
  // The second baseline syncs tar's file too, so that both sides have written the same to the disk.
  const syncedTar = timed('sh', ['-c', 'tar "$@" && sync "$0"', baselineTar, ...tarArgs]);
  report(
    `backup: ${seconds(backup.seconds)} (${mib(statSync(backupFile).size)}) vs tar -cf ` +
      `${seconds(tarBackup.seconds)} (${mib(statSync(baselineTar).size)}): ` +
      `${ratio(backup.seconds, tarBackup.seconds)} (goal ≤ ${GOALS.backup}×); vs tar -cf then sync ` +
      `${seconds(syncedTar.seconds)}: ${ratio(backup.seconds, syncedTar.seconds)}`,
  );
  const lines = jsonLinesFloor(sqliteFile);
  report(
    `  floor of any backup of rows: SQLite's json_object of its ${lines.rows} rows, sent nowhere, ` +
      `${seconds(lines.seconds)}: ${ratio(lines.seconds, tarBackup.seconds)} tar -cf`,
  );
  const restoredDir = path.join(scratch, 'restored');
  const restore = cairn([
    'admin',
    'restore',
    backupFile,
    '--db',
    `sqlite://${path.join(restoredDir, 'metadata.sqlite')}`,
    '--artifacts',
    path.join(restoredDir, 'artifacts'),
  ]);
  const untarDir = path.join(scratch, 'untar');
  mkdirSync(untarDir);
  const untar = timed('tar', ['-xf', baselineTar, '-C', untarDir]);
  const syncedUntarDir = path.join(scratch, 'untar-synced');
  mkdirSync(syncedUntarDir);
  // As for the backup: the restore has made every file durable when it returns. `sync -f` syncs the
  // file system tar wrote to.
  const syncedUntar = timed('sh', [
    '-c',
    'tar -xf "$0" -C "$1" && sync -f "$1"',
    baselineTar,
    syncedUntarDir,
  ]);
  report(
    `restore: ${seconds(restore.seconds)} vs tar -xf ${seconds(untar.seconds)}: ` +
      `${ratio(restore.seconds, untar.seconds)} (goal ≤ ${GOALS.restore}×); vs tar -xf then sync ` +
      `${seconds(syncedUntar.seconds)}: ${ratio(restore.seconds, syncedUntar.seconds)}`,
  );
  const inserts = insertSelectFloor(sqliteFile, path.join(scratch, 'insert-floor.sqlite'));
  report(
    `  floor of any restore of rows into SQLite: INSERT … SELECT of its ${inserts.rows} rows into empty ` +
      `indexed tables, no journal, no sync, ${seconds(inserts.seconds)}: ${ratio(inserts.seconds, untar.seconds)} tar -xf`,
  );
  for (const done of [restoredDir, untarDir, syncedUntarDir, baselineTar, backupFile])
    rmSync(done, { recursive: true, force: true });
}

/**
 * SQLite → PostgreSQL against psql loading the same rows with COPY: a data-only pg_dump of the moved
 * database (not timed), into a database migrated to the same schema.
 */
async function benchMove(): Promise<PostgresDatabase> {
  const moved = await createPostgresDatabase();
  databases.push(moved);
  const move = cairn(['admin', 'migrate-storage', '--to-db', moved.url, ...sqliteStores]);
  const copied = await createPostgresDatabase();
  databases.push(copied);
  cairn(['admin', 'migrate', '--db', copied.url, '--artifacts', artifactsDir]);
  const dumpFile = path.join(scratch, 'rows.sql');
  const dump = spawnSync(
    'pg_dump',
    [
      '--data-only',
      '--file',
      dumpFile,
      ...COPY_TABLES.flatMap((table) => ['--table', table.name]),
      moved.url,
    ],
    { encoding: 'utf8' },
  );
  if (dump.status !== 0) throw new Error(`pg_dump failed: ${dump.stderr}`);
  const copy = timed('psql', ['-q', '-v', 'ON_ERROR_STOP=1', '-f', dumpFile, copied.url]);
  report(
    `migrate-storage SQLite → PostgreSQL: ${seconds(move.seconds)} vs psql COPY of the same rows ` +
      `${seconds(copy.seconds)} (${mib(statSync(dumpFile).size)} of COPY data): ` +
      `${ratio(move.seconds, copy.seconds)} (goal ≤ ${GOALS.move}×)`,
  );
  rmSync(dumpFile, { force: true });
  return moved;
}

/** An upgrade from the first release's schema to the newest, the store down-migrated first (not timed). */
function benchUpgrade(name: string, stores: readonly string[]): void {
  cairn(['admin', 'migrate', '--to', String(FIRST_RELEASE_SCHEMA), ...stores]);
  const backupDir = path.join(scratch, `upgrade-backups-${name}`);
  const upgrade = cairn(['admin', 'upgrade', '--yes', '--backup-dir', backupDir, ...stores]);
  const plan = JSON.parse(
    cairn(['admin', 'upgrade', 'status', '-o', 'json', ...stores]).stdout,
  ) as UpgradePlan;
  const phases = new Map<string, number>();
  for (const step of plan.steps) {
    if (step.started_at === undefined || step.finished_at === undefined) continue;
    const spent = (Date.parse(step.finished_at) - Date.parse(step.started_at)) / 1000;
    phases.set(step.phase, (phases.get(step.phase) ?? 0) + spent);
  }
  const spans = [...phases].map(([phase, spent]) => `${phase.toLowerCase()} ${spent.toFixed(1)}`);
  report(
    `upgrade ${name}, schema ${FIRST_RELEASE_SCHEMA} → ${LATEST_SCHEMA_VERSION}: ${seconds(upgrade.seconds)} ` +
      `(goal < ${GOALS.upgradeSeconds} s); phases in s: ${spans.join(', ')}`,
  );
  rmSync(backupDir, { recursive: true, force: true });
}

const seconds = (value: number) => `${value.toFixed(1)} s`;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const ratio = (value: number, baseline: number) => `${(value / baseline).toFixed(2)}×`;

const scratch = mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-lifecycle-'));
const sqliteFile = path.join(scratch, 'metadata.sqlite');
const sqliteUrl = `sqlite://${sqliteFile}`;
const artifactsDir = path.join(scratch, 'artifacts');
const sqliteStores = ['--db', sqliteUrl, '--artifacts', artifactsDir];
const databases: PostgresDatabase[] = [];
const report = (line: string) => console.log(line);

console.log(
  `load average at the start: ${os
    .loadavg()
    .map((load) => load.toFixed(2))
    .join(', ')}`,
);
try {
  // 1. The history, written at the newest schema by this code.
  {
    const handle = await connectDatabase(parseDatabaseUrl(sqliteUrl));
    const store = new FsArtifactStore(artifactsDir);
    try {
      const migrated = await new Migrator({ db: handle.db, dialect: handle.dialect }).migrateTo();
      if (migrated.error) throw migrated.error;
      const seeded = await seedHistory(handle.db, handle.dialect, store, {
        runs,
        lineageEvery,
        maxModelBytes,
        specText: specText(),
      });
      const tasks = await handle.db
        .selectFrom('tasks')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .executeTakeFirstOrThrow();
      report(
        `seeded ${seeded.runs} runs, ${Number(tasks.count)} tasks, ${seeded.rows} rows in all, ` +
          `${seeded.objects} objects (${mib(seeded.objectBytes)}) in ${seconds(seeded.seconds)}; ` +
          `database ${mib(statSync(sqliteFile).size)}`,
      );
    } finally {
      await store.close();
      await handle.close();
    }
  }
  const verified = cairn(['admin', 'verify', '--no-hash', ...sqliteStores]);
  report(`verify --no-hash of the seeded store: clean, ${seconds(verified.seconds)}`);

  if (steps.has('backup')) benchBackup();
  // The PostgreSQL copy is also what the PostgreSQL upgrade runs on.
  const moved = steps.has('move') || steps.has('upgrade') ? await benchMove() : undefined;
  if (steps.has('upgrade') && moved !== undefined) {
    benchUpgrade('SQLite', sqliteStores);
    benchUpgrade('PostgreSQL', ['--db', moved.url, '--artifacts', artifactsDir]);
  }
} finally {
  for (const database of databases) await database.drop();
  if (values.keep) console.log(`kept ${scratch}`);
  else rmSync(scratch, { recursive: true, force: true });
}
