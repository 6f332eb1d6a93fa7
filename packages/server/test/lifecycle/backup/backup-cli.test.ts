// `cairn admin backup` and `cairn admin restore` as an operator runs them, including a restore killed
// with SIGKILL in the middle of a batch and run again. The backup's tables are split into small parts, as
// a large store's are, so the restores read them across parts.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { runCli } from '../../../src/cli/main.ts';
import { BackupArchive } from '../../../src/lifecycle/backup/backup-archive.ts';
import { unfinishedRestores } from '../../../src/lifecycle/backup/restore-marker.ts';
import { connectDatabase } from '../../../src/store/connect-database.ts';
import type { DialectName } from '../../../src/store/dialects/store-dialect.ts';
import { Migrator } from '../../../src/store/migrator/migrator.ts';
import type { DatabaseHandle } from '../../../src/store/open-database.ts';
import { type CairnChild, spawnCairn } from '../../support/cairn-child.ts';
import { createTestDatabase, dialectTargets, type TestDatabase } from '../../support/test-databases.ts';
import {
  assertRestored,
  type BackedUpDeployment,
  backedUpDeployment,
  SMALL_TABLE_PARTS,
} from './support/round-trip.ts';
import { createTestStore, scratchDir } from './support/test-stores.ts';

const RUNS = 60;

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const targets = await dialectTargets();
const sourceTarget = targets.find((target) => target.dialect === 'sqlite');

describe('cairn admin backup and restore', { skip: sourceTarget?.skip }, () => {
  let backup: BackedUpDeployment;
  const scratch = scratchDir('cairn-backup-cli-');
  const flags = (database: { url: string }, store: { url: string }) => [
    '--db',
    database.url,
    '--artifacts',
    store.url,
    '--home',
    scratch.dir,
  ];

  before(async () => {
    backup = await backedUpDeployment('sqlite', 'fs', RUNS, SMALL_TABLE_PARTS);
  });
  after(async () => {
    await backup?.close();
    scratch.remove();
  });

  test('--help says what each command does and takes', async () => {
    const help = await cli('admin', 'backup', '--help');
    assert.equal(help.code, 0);
    assert.match(help.out, /--out <file> +the archive to write/);
    assert.match(help.out, /--force +replace the file if it exists/);
    const restoreHelp = await cli('admin', 'restore', '--help');
    assert.match(restoreHelp.out, /Usage: cairn admin restore \[options\] <file>/);
    assert.match(restoreHelp.out, /--force +discard an unfinished restore/);
  });

  test('backup prints its progress; an existing file is refused without --force', async () => {
    const file = path.join(scratch.dir, 'cli.tar');
    const source = flags(backup.database.database, backup.store);
    const first = await cli('admin', 'backup', '--out', file, ...source);
    assert.equal(first.code, 0, first.err);
    assert.match(first.out, /^backing up sqlite .* to .*cli\.tar$/m);
    assert.match(first.out, /^snapshot taken at schema version \d+$/m);
    assert.match(first.out, new RegExp(`^  tasks: ${RUNS * 5 + 2} rows$`, 'm'));
    assert.match(
      first.out,
      /^backup [0-9a-f-]{36} written to .*cli\.tar: \d+ rows in 14 tables, \d+ objects, /m,
    );
    const again = await cli('admin', 'backup', '--out', file, ...source);
    assert.equal(again.code, 2);
    assert.match(again.err, /cli\.tar already exists; choose another file, or pass --force to replace it/);
    assert.equal((await cli('admin', 'backup', '--out', file, '--force', ...source)).code, 0);
  });

  test('restore names a missing file, and what is wrong with a file that is not a backup', async () => {
    const target = flags(
      { url: `sqlite://${path.join(scratch.dir, 'unused.sqlite')}` },
      { url: scratch.dir },
    );
    const missing = await cli('admin', 'restore', path.join(scratch.dir, 'nope.tar'), ...target);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /nope\.tar does not exist/);
    const junk = path.join(scratch.dir, 'junk.tar');
    writeFileSync(junk, 'x'.repeat(4096));
    const notBackup = await cli('admin', 'restore', junk, ...target);
    assert.equal(notBackup.code, 1);
    assert.match(notBackup.err, /junk\.tar is not a Cairn backup: the block at byte 0 is not a tar header/);
  });

  test("a resumed restore skips the rows it has loaded across a table's parts", async () => {
    const archive = await BackupArchive.open(backup.file);
    try {
      archive.verifyTables();
      const tasks = archive.manifest.tables.find((table) => table.name === 'tasks');
      assert.ok(tasks && (tasks.parts ?? 1) > 2, 'the tasks are in several parts');
      const all = await collect(archive.rows(tasks));
      assert.equal(all.length, tasks.rows);
      const perPart = Math.ceil(all.length / (tasks.parts ?? 1));
      for (const skip of [1, perPart - 1, perPart, perPart + 1, all.length - 1, all.length]) {
        assert.deepEqual(await collect(archive.rows(tasks, skip)), all.slice(skip), `skipping ${skip}`);
      }
    } finally {
      await archive.close();
    }
  });

  for (const { dialect, skip } of targets) {
    test(`a restore onto ${dialect} killed mid-batch, then run again, ends equal to the source`, {
      skip,
    }, async () => {
      const database = await createTestDatabase(dialect);
      const store = await createTestStore('fs');
      const handle = await connectDatabase(database.location);
      try {
        // Already at the backup's schema: still an empty target, and its tables can be locked in advance.
        const migrated = await new Migrator({ db: handle.db, dialect: handle.dialect }).migrateTo();
        assert.equal(migrated.error, undefined);
        const argv = ['admin', 'restore', backup.file, ...flags(database, store)];

        const first = spawnCairn(argv, scratch.dir);
        const lock = await blockTaskInserts(dialect, database, first);
        first.child.kill('SIGKILL');
        assert.equal(await first.exited, 'SIGKILL');
        await lock.release();

        const [marker] = await unfinishedRestores(handle.db);
        assert.ok(marker, `the killed restore left its marker:\n${first.output().out}`);
        // Objects are stored while rows load: they may all be in by then, or not yet.
        assert.ok(['objects', 'rows'].includes(marker.details.progress.phase), 'killed while loading rows');
        assert.ok(marker.details.progress.tables_done >= 1, 'some tables were loaded');
        assert.equal(await taskCount(handle), 0, 'the batch in flight was rolled back');

        const second = spawnCairn(argv, scratch.dir);
        assert.equal(await second.exited, 0, `${second.output().out}\n${second.output().err}`);
        assert.match(
          second.output().out,
          /resuming the unfinished restore of this backup \((objects|rows): /,
        );
        await assertRestored({ ...backup, manifest: backup.summary.manifest }, handle.db, store.store);
      } finally {
        await handle.close();
        await database.drop();
        await store.remove();
      }
    });
  }
});

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const collected: T[] = [];
  for await (const item of items) collected.push(item);
  return collected;
}

async function taskCount(handle: DatabaseHandle): Promise<number> {
  const row = await handle.db
    .selectFrom('tasks')
    .select(sql<number>`count(*)`.as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Makes the restore wait, inside its transaction, when it comes to insert tasks: a lock held by the test
 * that allows reads but not writes. Resolves once the restore is waiting on it.
 */
async function blockTaskInserts(
  dialect: DialectName,
  database: TestDatabase,
  restore: CairnChild,
): Promise<{ release(): Promise<void> }> {
  switch (dialect) {
    case 'postgres': {
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      await client.query('begin');
      await client.query('lock table tasks in share mode');
      await restore.waitForLine(/loaded run_state_history/);
      await until(async () => {
        const { rows } = await client.query(
          "select 1 from pg_locks where not granted and relation = 'tasks'::regclass",
        );
        return rows.length > 0;
      });
      return {
        release: async () => {
          await client.query('rollback');
          await client.end();
        },
      };
    }
    case 'mysql': {
      const connection = await mysql.createConnection(database.url);
      await connection.query('lock tables tasks read');
      await restore.waitForLine(/loaded run_state_history/);
      await until(async () => {
        // The server's process list holds every test's sessions: only the restore's, in its database, count.
        const [rows] = await connection.query(
          "select 1 from information_schema.processlist where db = database() and info like 'insert into `tasks`%'",
        );
        return (rows as unknown[]).length > 0;
      });
      return {
        release: async () => {
          await connection.query('unlock tables');
          await connection.end();
        },
      };
    }
    case 'sqlite': {
      // One writer at a time: once the test holds the write lock, the restore waits for it (up to its
      // busy timeout) at its next batch.
      await restore.waitForLine(/loaded pipelines/);
      const location = database.location;
      assert.equal(location.dialect, 'sqlite');
      const db = new DatabaseSync(location.path, { timeout: 5000 });
      db.exec('begin immediate');
      await sleep(200);
      return {
        release: async () => {
          db.exec('rollback');
          db.close();
        },
      };
    }
  }
}

async function until(probe: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the restore to block');
    await sleep(20);
  }
}
