// `cairn admin verify` run as an operator runs it: a child process against a real database and store,
// judged by its exit status and what it prints.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { ArtifactStore } from '../../../src/artifacts/artifact-store.ts';
import { runCli } from '../../../src/cli/main.ts';
import type { DialectName } from '../../../src/store/dialects/store-dialect.ts';
import { DATA } from '../../api/support/artifact-pipeline.ts';
import { createMigratedDatabase, type MigratedDatabase } from '../../support/migrated-database.ts';
import { SAMPLE_OBJECTS } from '../../support/sample-objects.ts';
import { IDS } from '../../support/sample-rows.ts';
import { dialectTargets } from '../../support/test-databases.ts';
import {
  openTestStore,
  removeTestBucket,
  runArtifactPipeline,
  type StoreKind,
  s3Service,
  seedSampleDeployment,
  type TestStore,
} from './support/verify-fixture.ts';

const CAIRN = fileURLToPath(new URL('../../../bin/cairn.js', import.meta.url));

after(removeTestBucket);

interface Result {
  code: number | string;
  out: string;
  err: string;
}

function cairn(argv: readonly string[]): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CAIRN, ...argv], {
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.once('error', reject);
    child.once('close', (code, signal) =>
      resolve({
        code: code ?? signal ?? 'unknown',
        out: Buffer.concat(out).toString('utf8'),
        err: Buffer.concat(err).toString('utf8'),
      }),
    );
  });
}

function describeResult(argv: readonly string[], result: Result): string {
  return `cairn ${argv.join(' ')} exited ${result.code}\n--- stdout:\n${result.out}--- stderr:\n${result.err}`;
}

interface JsonProblem {
  kind: string;
  ids: { object_key?: string; artifact_id?: string; run_id?: string };
  fix?: { action: string; to?: string; error?: string };
}

const MODEL = SAMPLE_OBJECTS[0] ?? assert.fail('a sample model object');

/** A migrated database with the sample rows and a finished run, and a store with their objects. */
function deploymentFor(dialect: DialectName, storeKind: StoreKind) {
  const deployment = {
    database: undefined as MigratedDatabase | undefined,
    testStore: undefined as TestStore | undefined,
    flags: [] as string[],
    get store(): ArtifactStore {
      return deployment.testStore?.store ?? assert.fail('the store is open');
    },
  };
  before(async () => {
    const database = await createMigratedDatabase(dialect);
    const testStore = await openTestStore(storeKind);
    deployment.database = database;
    deployment.testStore = testStore;
    await seedSampleDeployment(database.db, testStore.store);
    await runArtifactPipeline(database.db, database.dialect, testStore.store);
    const home = mkdtempSync(path.join(os.tmpdir(), 'cairn-verify-cli-'));
    const config = path.join(home, 'cairn.yaml');
    // Credentials come from the configuration file, never from the command line.
    writeFileSync(config, 's3:\n  access_key_id: S3RVER\n  secret_access_key: S3RVER\n');
    deployment.flags = ['--home', home, '--config', config, '--db', database.database.url];
    deployment.flags.push('--artifacts', testStore.location);
  });
  after(async () => {
    await deployment.database?.close();
    await deployment.testStore?.cleanup();
  });
  return deployment;
}

async function verify(flags: readonly string[], ...options: string[]): Promise<Result> {
  const argv = ['admin', 'verify', ...options, ...flags];
  const result = await cairn(argv);
  assert.ok(result.code === 0 || result.code === 1, describeResult(argv, result));
  return result;
}

for (const { dialect, skip } of await dialectTargets()) {
  describe(`cairn admin verify on ${dialect} with the fs store`, { skip }, () => {
    const deployment = deploymentFor(dialect, 'fs');

    test('a clean deployment exits 0 with a table of passed checks', async () => {
      const result = await verify(deployment.flags);
      assert.equal(result.code, 0, result.out + result.err);
      assert.match(result.out, /^CHECK +RESULT +PROBLEMS +NOTE$/m);
      for (const check of ['schema', 'references', 'run-states', 'artifacts', 'objects']) {
        assert.match(result.out, new RegExp(`^${check} +passed +0 `, 'm'));
      }
      assert.match(result.out, /artifacts +passed +0 +7 artifacts with stored content \(8 objects/);
      assert.match(result.out, /^verify: the deployment is clean: every check passed$/m);
    });

    test('damage exits 1 with each problem, its ids and what to do about it', async () => {
      const orphan = 'leftovers/old-model.bin';
      await deployment.store.put(MODEL.key, 'model');
      await deployment.store.put(orphan, 'bytes');
      try {
        const json = await verify(deployment.flags, '--grace', '0', '-o', 'json');
        assert.equal(json.code, 1);
        const report = JSON.parse(json.out) as { outcome: string; problems: JsonProblem[] };
        assert.equal(report.outcome, 'problems');
        assert.deepEqual(
          report.problems.map(({ kind, ids }) => ({ kind, ids })),
          [
            { kind: 'artifact-size-mismatch', ids: { artifact_id: IDS.artifact, object_key: MODEL.key } },
            { kind: 'orphan-object', ids: { object_key: orphan } },
          ],
        );

        const table = await verify(deployment.flags, '--grace', '0');
        assert.equal(table.code, 1);
        assert.match(table.out, /^artifacts +failed +1 /m);
        assert.match(table.out, /^artifact-size-mismatch +artifact .* has 5 bytes, but 11 were recorded$/m);
        assert.match(table.out, /^What to do:$/m);
        assert.match(table.out, /^ {2}orphan-object: Nothing in the database refers to this object\./m);
        assert.match(table.out, /^verify: 2 problems found: 1 artifact-size-mismatch, 1 orphan-object$/m);
      } finally {
        await deployment.store.put(MODEL.key, MODEL.body);
        await deployment.store.delete(orphan);
      }
    });

    test('--fix quarantines an orphan, still readable there, and the next verify exits 0', async () => {
      const orphan = `verify-me/${IDS.run}/lost/output`;
      await deployment.store.put(orphan, DATA);
      const fixed = await verify(deployment.flags, '--fix', '--grace', '0', '-o', 'yaml');
      assert.equal(fixed.code, 1, 'problems were found, even though all were fixed');
      assert.match(fixed.out, /^outcome: fixed$/m);
      const to = /^ {6}to: (quarantine\/\d{8}T\d{6}Z\/.+)$/m.exec(fixed.out)?.[1];
      assert.equal(to?.slice(to.indexOf('Z/') + 2), orphan, fixed.out);
      const root = deployment.flags[deployment.flags.indexOf('--artifacts') + 1] ?? '';
      assert.equal(readFileSync(path.join(root, ...(to ?? '').split('/')), 'utf8'), DATA);
      assert.equal(await deployment.store.stat(orphan), undefined);

      const again = await verify(deployment.flags, '--grace', '0');
      assert.equal(again.code, 0, again.out);
      assert.match(again.out, /1 in quarantine/);
    });
  });
}

test('a bad option exits 2 and says what it expected', async () => {
  const err: string[] = [];
  const code = await runCli(['admin', 'verify', '--grace', 'soon'], {
    out: () => undefined,
    err: (line) => err.push(line),
  });
  assert.equal(code, 2);
  assert.match(err.join('\n'), /expected 0 or a duration such as 30s/);
});

describe('cairn admin verify with an S3 store', { skip: s3Service.skip ?? false }, () => {
  const deployment = deploymentFor('sqlite', 's3');

  test('verifies the bucket with credentials from cairn.yaml, and reports an orphan in it', async () => {
    const clean = await verify(deployment.flags);
    assert.equal(clean.code, 0, clean.out + clean.err);
    assert.doesNotMatch(clean.out + clean.err, /S3RVER/, 'credentials never appear in output');
    await deployment.store.put('stray/object', 'x');
    try {
      const result = await verify(deployment.flags, '--grace', '0', '-o', 'json');
      assert.equal(result.code, 1);
      const report = JSON.parse(result.out) as { artifact_store: string; problems: JsonProblem[] };
      assert.equal(report.artifact_store, deployment.store.url);
      assert.deepEqual(
        report.problems.map(({ kind, ids }) => ({ kind, ids })),
        [{ kind: 'orphan-object', ids: { object_key: 'stray/object' } }],
      );
    } finally {
      await deployment.store.delete('stray/object');
    }
  });
});
