import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { CreateBucketCommand, DeleteBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { runCli } from '../../src/cli/main.ts';
import { connectDatabase } from '../../src/store/connect-database.ts';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from '../../src/store/migrations/index.ts';
import { HISTORY_TABLE } from '../../src/store/migrator/schema-history.ts';
import { CAIRN_VERSION } from '../../src/version.ts';
import { checkService, S3_ENDPOINT } from '../support/services.ts';
import { createTestDatabase, dialectTargets, type TestDatabase } from '../support/test-databases.ts';

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('cairn CLI', () => {
  test('--help lists the admin commands and the options every command takes', async () => {
    const help = await cli('admin', 'status', '--help');
    assert.equal(help.code, 0);
    for (const option of ['--home', '--db', '--artifacts', '--config', '--output'])
      assert.match(help.out, new RegExp(option));
  });

  test('status on a new embedded home reports pending migrations; migrate makes it current', async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'cairn-cli-'));
    const before = await cli('admin', 'status', '--home', home);
    assert.equal(before.code, 0, before.err);
    assert.match(before.out, new RegExp(`Cairn ${CAIRN_VERSION.replaceAll('.', '\\.')}`));
    assert.match(
      before.out,
      new RegExp(`version 0; this code's is ${LATEST_SCHEMA_VERSION}: not up to date`),
    );
    assert.match(before.out, /pending +0001-create-pipelines, /);
    assert.match(before.out, /next: run 'cairn admin upgrade'/);

    const migrate = await cli('admin', 'migrate', '--home', home);
    assert.equal(migrate.code, 0, migrate.err);
    assert.match(migrate.out, new RegExp(`schema is at version ${LATEST_SCHEMA_VERSION}`));

    const json = await cli('admin', 'status', '--home', home, '-o', 'json');
    const report = JSON.parse(json.out);
    assert.equal(report.database.schema_version, LATEST_SCHEMA_VERSION);
    assert.deepEqual(report.database.pending, []);
    assert.equal(report.database.source, 'default');
    assert.equal(report.artifacts.reachable, true);
    assert.deepEqual(report.problems, []);
  });

  test('an unreachable database exits 1 and names the database', async () => {
    const result = await cli(
      'admin',
      'status',
      '--db',
      'postgres://nobody@127.0.0.1:1/cairn',
      '--home',
      os.tmpdir(),
    );
    assert.equal(result.code, 1);
    assert.match(result.err, /cannot reach the metadata database \(postgres 127\.0\.0\.1:1\/cairn\)/);
  });

  test('configuration and usage errors exit 2 with the setting named', async () => {
    const bad = await cli('admin', 'status', '--db', 'nosql://x');
    assert.equal(bad.code, 2);
    assert.match(bad.err, /setting db \(from flag --db\)/);
    assert.equal((await cli('admin', 'migrate', '--to', 'latest')).code, 2);
    assert.equal((await cli('admin', 'status', '-o', 'yaml')).code, 2);
    // A name every object has (Object.prototype's) is no dialect.
    const inherited = await cli('admin', 'migrate', '--dry-run', '--dialect', 'toString');
    assert.equal(inherited.code, 2);
    assert.match(inherited.err, /expected sqlite, mysql, postgres or all, got "toString"/);
  });

  test('migrate --dry-run --dialect prints every dialect without a database', async () => {
    const result = await cli('admin', 'migrate', '--dry-run', '--dialect', 'all');
    assert.equal(result.code, 0, result.err);
    for (const dialect of ['sqlite', 'mysql', 'postgres'])
      assert.match(result.out, new RegExp(`-- dialect: ${dialect}`));
    assert.match(result.out, /create table `pipelines` .*collate = utf8mb4_bin;/);
    assert.match(result.out, /create table "pipelines" \("id" uuid primary key/);
    assert.equal(result.out.match(/-- 0001-create-pipelines \(up\)/g)?.length, 3);
  });
});

for (const { dialect, skip } of await dialectTargets()) {
  describe(`cairn admin on ${dialect}`, { skip }, () => {
    let database: TestDatabase;
    after(() => database?.drop());

    test('migrate, dry run, down and status against a real database', async () => {
      database = await createTestDatabase(dialect);
      const home = mkdtempSync(path.join(os.tmpdir(), 'cairn-cli-'));
      const flags = ['--db', database.url, '--home', home];
      const dry = await cli('admin', 'migrate', '--dry-run', ...flags);
      assert.equal(dry.code, 0, dry.err);
      assert.equal(dry.out.match(/^-- \d{4}-.* \(up\)$/gm)?.length, MIGRATIONS.length);

      assert.equal((await cli('admin', 'migrate', ...flags)).code, 0);
      const down = await cli('admin', 'migrate', '--to', '5', ...flags);
      assert.equal(down.code, 0, down.err);
      assert.match(down.out, /reverting 0007-create-lifecycle-audit\nreverting 0006-create-lineage/);
      assert.match(
        (await cli('admin', 'status', ...flags)).out,
        /pending +0006-create-lineage, 0007-create-lifecycle-audit/,
      );
      assert.equal((await cli('admin', 'migrate', ...flags)).code, 0);

      // A database written by a newer release: status says so and exits 1; migrate refuses.
      const handle = await connectDatabase(database.location);
      await handle.db
        .insertInto(HISTORY_TABLE)
        .values({
          version: 99,
          name: '0099-later',
          checksum: 'a'.repeat(64),
          cairn_version: '3.0.0',
          state: 'applied',
          started_at: 1,
          finished_at: 2,
        })
        .execute();
      await handle.close();
      const status = await cli('admin', 'status', ...flags);
      assert.equal(status.code, 1);
      assert.match(status.out, /NEWER than this code/);
      assert.match(status.err, /Cairn 3\.0\.0 or later/);
      const migrate = await cli('admin', 'migrate', ...flags);
      assert.equal(migrate.code, 1);
      assert.match(migrate.err, /schema is at version 99/);
    });
  });
}

const s3 = await checkService(
  'S3',
  S3_ENDPOINT,
  'start s3rver as .ci/run does, or set CAIRN_TEST_S3_ENDPOINT',
);
describe('cairn admin status with an S3 artifact store', { skip: s3.skip }, () => {
  const bucket = `cairn-cli-${randomUUID().slice(0, 8)}`;
  const client = new S3Client({
    endpoint: S3_ENDPOINT,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  after(async () => {
    await client.send(new DeleteBucketCommand({ Bucket: bucket })).catch(() => undefined);
    client.destroy();
  });

  test('reports the bucket reachable with credentials from cairn.yaml, and a missing bucket as a problem', async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'cairn-cli-s3-'));
    const config = path.join(home, 'cairn.yaml');
    writeFileSync(config, 's3:\n  access_key_id: S3RVER\n  secret_access_key: S3RVER\n');
    const url = (name: string) => `s3://${name}/v2/artifacts?endpoint=${S3_ENDPOINT}&forcePathStyle=true`;

    const flags = ['--home', home, '--config', config, '--artifacts', url(bucket)];
    const missing = await cli('admin', 'status', ...flags);
    assert.equal(missing.code, 1);
    assert.match(missing.err, new RegExp(`cannot reach the artifact store \\(s3://${bucket}/v2/artifacts`));

    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    const ok = await cli('admin', 'status', ...flags, '-o', 'json');
    const report = JSON.parse(ok.out);
    assert.equal(report.artifacts.reachable, true, ok.err);
    assert.equal(report.artifacts.source, 'flag --artifacts');
    assert.doesNotMatch(ok.out, /S3RVER/, 'credentials never appear in output');
  });
});
