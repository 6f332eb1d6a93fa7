// The README's first command: `npm start` starts Cairn and, on a store that has never run anything, runs
// the example pipeline and shows its outputs; a later start leaves the store alone. The `cairn up`
// arguments are taken from package.json's start script, so the test follows what users run.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { WorkerProcess } from '../engine/crash/worker-process.ts';
import { REPO_ROOT } from '../engine/support/engine-harness.ts';
import { createMigratedDatabase, type MigratedDatabase } from '../support/migrated-database.ts';
import { dialectTargets } from '../support/test-databases.ts';

const START = (
  JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
    scripts: { start: string };
  }
).scripts.start;
const UP_ARGS = START.split(' up ')[1]?.split(' ') ?? [];

for (const { dialect, skip } of await dialectTargets()) {
  describe(`first start on ${dialect}`, { skip }, () => {
    let store: MigratedDatabase;
    let scratch: string;
    before(async () => {
      store = await createMigratedDatabase(dialect);
      scratch = mkdtempSync(path.join(os.tmpdir(), 'cairn-first-start-'));
    });
    after(async () => {
      await store.close();
      rmSync(scratch, { recursive: true, force: true });
    });

    const start = (name: string) =>
      new WorkerProcess({
        command: 'up',
        db: store.database.url,
        artifacts: `file://${path.join(scratch, 'artifacts')}`,
        home: scratch,
        name,
        args: [...UP_ARGS, '--port', '0'],
      });

    test('npm start runs the example on an empty store and shows its outputs, once', async () => {
      assert.match(START, /up --example examples\/\S+\.ts/, 'npm start names an example');
      const first = start('first-start');
      try {
        await first.waitForLine(/^example: see it with/, 90_000);
        const log = first.lines.join('\n');
        assert.match(
          log,
          /^example: the store is empty, so examples\/\S+ runs as a first example: run [0-9a-f-]{36}$/m,
        );
        assert.match(log, /^run [0-9a-f-]{36} SUCCEEDED after/m);
        assert.match(log, /^ {2}NAME +TYPE +VALUE$/m);
        assert.match(log, /system\.Metrics +test_rmse=/);
      } finally {
        assert.equal(await first.kill('SIGTERM'), 0);
      }
      const runs = await store.db.selectFrom('runs').select('state').execute();
      assert.deepEqual(
        runs.map((run) => run.state),
        ['SUCCEEDED'],
      );

      const second = start('second-start');
      try {
        await second.waitForLine(/^ {2}worker /, 30_000);
        await new Promise((resolve) => setTimeout(resolve, 1000));
        assert.ok(!second.lines.some((line) => line.startsWith('example:')), second.lines.join('\n'));
      } finally {
        assert.equal(await second.kill('SIGTERM'), 0);
      }
      assert.equal((await store.db.selectFrom('runs').select('id').execute()).length, 1);
    });
  });
}
