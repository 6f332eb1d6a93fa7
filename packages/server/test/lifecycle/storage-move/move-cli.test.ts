// `cairn admin migrate-storage` as an operator runs it: its help, its progress and the configuration it
// prints and writes; and the move killed with SIGKILL in every phase (while copying rows, while copying
// objects, while comparing, while verifying), each time run again, ending equal to the source.
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { runCli } from '../../../src/cli/main.ts';
import { resolveConfig } from '../../../src/config/resolve-config.ts';
import type { MoveDetails } from '../../../src/lifecycle/storage-move/move-marker.ts';
import { Migrator } from '../../../src/store/migrator/migrator.ts';
import { HISTORY_TABLE } from '../../../src/store/migrator/schema-history.ts';
import { type CairnChild, spawnCairn } from '../../support/cairn-child.ts';
import { S3_ENDPOINT } from '../../support/services.ts';
import { dialectTargets, type TestDatabase } from '../../support/test-databases.ts';
import { dumpObjects } from '../backup/support/deployment.ts';
import { scratchDir } from '../backup/support/test-stores.ts';
import { removeTestBucket, S3_CREDENTIALS, s3Service } from '../verify/support/verify-fixture.ts';
import { HoldingProxy } from './support/holding-proxy.ts';
import {
  assertMoved,
  type Deployment,
  emptyDeployment,
  type Snapshot,
  snapshotOf,
  sourceDeployment,
} from './support/move-fixture.ts';

after(removeTestBucket);

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const targets = await dialectTargets();
const skipOf = new Map(targets.map((target) => [target.dialect, target.skip]));

describe('cairn admin migrate-storage', { skip: skipOf.get('sqlite') }, () => {
  const scratch = scratchDir('cairn-move-cli-');
  let source: Deployment;
  let original: Snapshot;
  const from = () => [
    '--db',
    source.database.url,
    '--artifacts',
    source.store.location,
    '--home',
    scratch.dir,
  ];

  before(async () => {
    source = await sourceDeployment('sqlite', 'fs');
    original = await snapshotOf(source);
  });
  after(async () => {
    await source?.close();
    scratch.remove();
  });

  test('--help says what it does, how the source must be, and what it takes', async () => {
    const help = await cli('admin', 'migrate-storage', '--help');
    assert.equal(help.code, 0);
    assert.match(help.out, /Usage: cairn admin migrate-storage \[options\]/);
    // The description wraps to the terminal's width.
    const text = help.out.replace(/\s+/g, ' ');
    assert.match(text, /Nothing in the source is changed\. Stop every Cairn process that uses it first/);
    assert.match(text, /is resumed by running the same command again, and a finished one is not repeated/);
    assert.match(help.out, /--to-db <url> +the target database/);
    assert.match(help.out, /--to-artifacts <url> +the target artifact store/);
    assert.match(help.out, /--write-config <file> +write the new configuration there/);
    assert.match(help.out, /--force +replace the --write-config file/);
    assert.match(help.out, /--no-hash/);
    const missing = await cli('admin', 'migrate-storage', ...from());
    assert.equal(missing.code, 2);
    assert.match(missing.err, /required option '--to-db <url>' not specified/);
  });

  test('prints its progress and the new configuration, and writes it where asked', {
    skip: skipOf.get('postgres'),
  }, async () => {
    const target = await emptyDeployment('postgres', 'fs');
    try {
      // Trust authentication ignores the password, which must be written but never printed.
      const targetUrl = target.database.url.replace('postgres@', 'postgres:s3cret@');
      const file = path.join(scratch.dir, 'moved.yaml');
      const argv = ['admin', 'migrate-storage', ...from(), '--to-db', targetUrl];
      const moved = await cli(...argv, '--to-artifacts', target.store.location, '--write-config', file);
      assert.equal(moved.code, 0, moved.err);
      assert.match(moved.out, /^moving sqlite .*metadata\.sqlite and file:\/\/\//m);
      assert.match(moved.out, /^ {4}to postgres 127\.0\.0\.1:5432\/cairn_t_\w+ and file:\/\/\//m);
      assert.match(moved.out, /^ {2}applying 0001-create-pipelines$/m);
      assert.match(moved.out, /^artifact URIs under file:\/\/\/.* are rewritten to file:\/\/\//m);
      assert.match(moved.out, new RegExp(`^  tasks: ${original.tables.tasks?.length} rows$`, 'm'));
      assert.match(moved.out, /^ {2}objects: \d+ \(\d+\.\d MiB\)$/m);
      assert.match(moved.out, new RegExp(`^  runs: ${original.tables.runs?.length} rows equal$`, 'm'));
      assert.match(moved.out, new RegExp(`^  objects: ${original.objects.size} equal \\(SHA-256, `, 'm'));
      assert.match(moved.out, /^verify: the deployment is clean: every check passed$/m);
      assert.match(moved.out, /^moved in \d+\.\d s: \d+ rows, \d+ objects/m);
      assert.match(moved.out, /^ {2}db: postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:5432\/cairn_t_\w+$/m);
      assert.doesNotMatch(moved.out, /s3cret/);
      assert.ok(readFileSync(file, 'utf8').includes('s3cret'), 'the file holds the password');
      assert.equal(statSync(file).mode & 0o777, 0o600);
      const config = resolveConfig({ config: file }, {}, scratch.dir);
      assert.equal(config.db.raw, targetUrl);
      assert.equal(config.artifacts.raw, target.store.store.url);

      const refused = await cli(...argv, '--to-artifacts', target.store.location, '--write-config', file);
      assert.equal(refused.code, 2);
      assert.match(
        refused.err,
        /moved\.yaml already exists; choose another file, or pass --force to replace it/,
      );
      const again = await cli(
        ...argv,
        '--to-artifacts',
        target.store.location,
        '--write-config',
        file,
        '--force',
      );
      assert.equal(again.code, 0, again.err);
      assert.match(again.out, /the target already holds this move, finished .*: nothing to do/);
      const [marker] = await target.db
        .selectFrom('lifecycle_audit')
        .select('id')
        .where('operation', '=', 'storage-move')
        .execute();
      assert.ok(marker);
      await assertMoved(original, source.store.store.url, target, { moveId: marker.id });
      assert.deepEqual(await snapshotOf(source), original, 'the source is unchanged');
    } finally {
      await target.close();
    }
  });

  test('onto its own database exits 1 and says so', async () => {
    const outcome = await cli('admin', 'migrate-storage', ...from(), '--to-db', source.database.url);
    assert.equal(outcome.code, 1);
    assert.match(outcome.err, /cairn: error: the target database is the source/);
  });

  describe('killed and run again', () => {
    test('on PostgreSQL and S3: in every phase, ending equal to the source', {
      skip: skipOf.get('postgres') ?? s3Service.skip,
    }, async () => {
      const target = await emptyDeployment('postgres', 's3');
      const proxy = await HoldingProxy.start(S3_ENDPOINT);
      const client = new pg.Client({ connectionString: target.database.url });
      await client.connect();
      try {
        await premigrate(target);
        const proxied = target.store.location.replace(S3_ENDPOINT, proxy.endpoint);
        const argv = [
          'admin',
          'migrate-storage',
          ...from(),
          '--to-db',
          target.database.url,
          '--to-artifacts',
          proxied,
        ];
        const env = {
          AWS_ACCESS_KEY_ID: S3_CREDENTIALS.accessKeyId,
          AWS_SECRET_ACCESS_KEY: S3_CREDENTIALS.secretAccessKey,
        };
        const run = () => spawnCairn(argv, scratch.dir, env);
        // A killed process's server session goes on waiting for its lock until it is granted; ended here,
        // so that the next process is the only one waiting.
        const killedWaiting = async (child: CairnChild, table: string) => {
          await killed(child);
          await client.query(
            `select pg_terminate_backend(pid) from pg_locks where not granted and relation = '${table}'::regclass`,
          );
        };
        const waitingOn = (table: string) =>
          until(async () => {
            const { rows } = await client.query(
              `select 1 from pg_locks where not granted and relation = '${table}'::regclass`,
            );
            return rows.length > 0;
          });

        // Rows: tasks are locked against writes, so the move waits inside its batch's transaction.
        await client.query('begin');
        await client.query('lock table tasks in share mode');
        const rows = run();
        await waitingOn('tasks');
        await killedWaiting(rows, 'tasks');
        await client.query('rollback');
        let details = await moveDetails(target);
        assert.equal(details.progress.phase, 'rows');
        assert.equal(details.progress.rows.tasks, undefined, 'killed in the first batch of tasks');
        assert.equal(await countOf(target, 'tasks'), 0, 'the batch in flight was rolled back');
        assert.equal(
          await countOf(target, 'runs'),
          original.tables.runs?.length,
          'the tables before it are in',
        );

        // Objects: the store answers five uploads, then none.
        proxy.holdAfter(5);
        const objects = run();
        await proxy.holding();
        await killed(objects);
        details = await moveDetails(target);
        assert.equal(details.progress.phase, 'objects');
        assert.equal(await countOf(target, 'tasks'), original.tables.tasks?.length, 'every row is in');
        assert.equal((await dumpObjects(target.store.store)).size, 5, 'five objects were stored');
        proxy.passAll();

        // Compare: tasks are locked against reads.
        await client.query('begin');
        await client.query('lock table tasks in access exclusive mode');
        const comparing = run();
        await waitingOn('tasks');
        await killedWaiting(comparing, 'tasks');
        details = await moveDetails(target);
        assert.equal(details.progress.phase, 'compare');

        // Verify: the comparison is held on tasks while another session locks the schema history against
        // reads; then tasks are let go, and the verify that follows the comparison waits on the history.
        const verifying = run();
        await waitingOn('tasks');
        const history = new pg.Client({ connectionString: target.database.url });
        await history.connect();
        try {
          await history.query('begin');
          await history.query(`lock table ${HISTORY_TABLE} in access exclusive mode`);
          await client.query('rollback');
          await waitingOn(HISTORY_TABLE);
          await killedWaiting(verifying, HISTORY_TABLE);
        } finally {
          await history.end();
        }
        details = await moveDetails(target);
        assert.equal(details.progress.phase, 'verify');

        const last = run();
        assert.equal(await last.exited, 0, `${last.output().out}\n${last.output().err}`);
        assert.match(last.output().out, /^resuming the unfinished move into this target \(at verify\)$/m);
        const [marker] = await target.db
          .selectFrom('lifecycle_audit')
          .select('id')
          .where('operation', '=', 'storage-move')
          .execute();
        assert.ok(marker);
        // The URIs name the store as the move reached it: through the proxy.
        const proxiedUrl = target.store.store.url.replace(S3_ENDPOINT, proxy.endpoint);
        await assertMoved(original, source.store.store.url, target, { moveId: marker.id }, proxiedUrl);
        assert.deepEqual(await snapshotOf(source), original, 'the source is unchanged');
      } finally {
        await client.end();
        await proxy.close();
        await target.close();
      }
    });

    for (const dialect of ['mysql', 'sqlite'] as const) {
      // SQLite's lock is taken once the move has copied a table: it stops at its next write, wherever.
      test(`on ${dialect}: while copying rows, ending equal to the source`, {
        skip: skipOf.get(dialect),
      }, async () => {
        const target = await emptyDeployment(dialect, 'fs');
        try {
          await premigrate(target);
          const argv = [
            'admin',
            'migrate-storage',
            ...from(),
            '--to-db',
            target.database.url,
            '--to-artifacts',
            target.store.location,
          ];
          const first = spawnCairn(argv, scratch.dir);
          const lock = await blockTaskInserts(dialect, target.database, first);
          await killed(first);
          await lock.release();
          const details = await moveDetails(target);
          if (dialect === 'mysql') {
            assert.equal(details.progress.phase, 'rows');
            assert.equal(await countOf(target, 'tasks'), 0, 'the batch in flight was rolled back');
          }

          const second = spawnCairn(argv, scratch.dir);
          assert.equal(await second.exited, 0, `${second.output().out}\n${second.output().err}`);
          assert.match(second.output().out, /^resuming the unfinished move into this target \(at rows\)$/m);
          const [marker] = await target.db
            .selectFrom('lifecycle_audit')
            .select('id')
            .where('operation', '=', 'storage-move')
            .execute();
          assert.ok(marker);
          await assertMoved(original, source.store.store.url, target, { moveId: marker.id });
        } finally {
          await target.close();
        }
      });
    }
  });
});

/**
 * Migrates the target as the move would, so its tables exist to be locked before the move starts: a
 * database with Cairn's tables and no rows is still an empty target.
 */
async function premigrate(target: Deployment): Promise<void> {
  const outcome = await new Migrator({ db: target.db, dialect: target.handle.dialect }).migrateTo();
  assert.equal(outcome.error, undefined);
}

async function killed(child: CairnChild): Promise<void> {
  assert.equal(await child.kill(), 'SIGKILL', `${child.output().out}\n${child.output().err}`);
}

async function moveDetails(target: Deployment): Promise<MoveDetails> {
  const row = await target.db
    .selectFrom('lifecycle_audit')
    .select(['outcome', 'details'])
    .where('operation', '=', 'storage-move')
    .executeTakeFirstOrThrow();
  assert.equal(row.outcome, 'RUNNING');
  return JSON.parse(String(row.details)) as MoveDetails;
}

async function countOf(target: Deployment, table: 'tasks' | 'runs'): Promise<number> {
  const row = await target.db
    .selectFrom(table)
    .select(sql<number>`count(*)`.as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Makes the move wait, inside its transaction, when it comes to insert tasks: a lock held by the test
 * that allows reads but not writes. Resolves once the move is waiting on it.
 */
async function blockTaskInserts(
  dialect: 'mysql' | 'sqlite',
  database: TestDatabase,
  move: CairnChild,
): Promise<{ release(): Promise<void> }> {
  if (dialect === 'mysql') {
    const connection = await mysql.createConnection(database.url);
    await connection.query('lock tables tasks read');
    await until(async () => {
      // The server's process list holds every test's sessions: only the move's, in the target, count.
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
  // One writer at a time: once the test holds the write lock, the move waits for it (up to its busy
  // timeout) at its next batch.
  await move.waitForLine(/^ {2}pipelines: \d+ rows$/m);
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

async function until(probe: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the move to block');
    await sleep(20);
  }
}
