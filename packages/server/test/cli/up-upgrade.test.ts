// `cairn up` on a database an earlier release wrote: the embedded SQLite default upgrades itself with
// a backup; an external database is refused until `cairn admin upgrade`, or upgraded with --auto-upgrade.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { LATEST_SCHEMA_VERSION } from '../../src/store/migrations/index.ts';
import { WorkerProcess } from '../engine/crash/worker-process.ts';
import { readFixture, readReleases, restoreFixture } from '../lifecycle/release-fixtures.ts';
import { createTestDatabase, dialectTargets } from '../support/test-databases.ts';

const previous = readReleases().findLast((release) => release.schema_version < LATEST_SCHEMA_VERSION);
if (!previous) throw new Error('no earlier release with an older schema');
const fixture = readFixture(previous);

function up(settings: { db: string; home: string; args?: string[] }): WorkerProcess {
  return new WorkerProcess({
    command: 'up',
    db: settings.db,
    artifacts: `file://${path.join(settings.home, 'artifacts')}`,
    home: settings.home,
    name: 'up-upgrade',
    args: ['--port', '0', '--no-worker', ...(settings.args ?? [])],
  });
}

async function experimentNames(server: WorkerProcess): Promise<string[]> {
  const url = server.lines.find((line) => line.includes(' is up at '))?.split(' is up at ')[1] ?? '';
  const response = await fetch(`${url}/apis/v2beta1/experiments`);
  const body = (await response.json()) as { experiments?: { display_name: string }[] };
  return (body.experiments ?? []).map((experiment) => experiment.display_name);
}

describe(`cairn up on a database written by ${previous.version}`, () => {
  let scratch: string;
  before(() => {
    scratch = mkdtempSync(path.join(os.tmpdir(), 'cairn-up-upgrade-'));
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  test('the embedded SQLite store upgrades itself, with a backup, and serves', async () => {
    const home = mkdtempSync(path.join(scratch, 'home-'));
    const file = path.join(home, 'metadata.sqlite');
    copyFileSync(path.join(fixture.dir, fixture.manifest.databases.sqlite), file);
    const server = up({ db: `sqlite://${file}`, home });
    try {
      await server.waitForLine(/ is up at /, 60_000);
      const output = server.lines.join('\n');
      assert.match(
        output,
        new RegExp(
          `database is at schema ${previous.schema_version} and this Cairn needs ${LATEST_SCHEMA_VERSION}: upgrading it, with a backup in`,
        ),
      );
      assert.match(output, new RegExp(`schema ${LATEST_SCHEMA_VERSION} ready`));
      assert.equal(readdirSync(path.join(home, 'backups')).filter((name) => name.endsWith('.tar')).length, 1);
      const expected = fixture.manifest.rows.experiments?.map((row) => row.display_name) ?? [];
      assert.ok(expected.length > 0);
      assert.deepEqual(await experimentNames(server), expected);
    } finally {
      await server.kill('SIGTERM');
    }
    // Started again, it finds nothing to do and takes no second backup.
    const again = up({ db: `sqlite://${file}`, home });
    try {
      await again.waitForLine(/ is up at /, 30_000);
      assert.doesNotMatch(again.lines.join('\n'), /upgrading it/);
    } finally {
      await again.kill('SIGTERM');
    }
  });
});

for (const { dialect, skip } of await dialectTargets()) {
  if (dialect === 'sqlite') continue;
  describe(`cairn up on an external ${dialect} database written by ${previous.version}`, { skip }, () => {
    test('is refused until upgraded, and --auto-upgrade upgrades it', async () => {
      const home = mkdtempSync(path.join(os.tmpdir(), 'cairn-up-upgrade-'));
      const database = await createTestDatabase(dialect);
      try {
        restoreFixture(fixture.dir, fixture.manifest, database);
        const refused = up({ db: database.url, home });
        assert.equal(await refused.exited, 1);
        assert.match(refused.tail(), /run 'cairn admin upgrade' \(or start with --auto-upgrade\)/);

        const server = up({ db: database.url, home, args: ['--auto-upgrade'] });
        try {
          await server.waitForLine(/ is up at /, 60_000);
          assert.match(server.lines.join('\n'), new RegExp(`schema ${LATEST_SCHEMA_VERSION} ready`));
          const expected = fixture.manifest.rows.experiments?.map((row) => row.display_name) ?? [];
          assert.deepEqual(await experimentNames(server), expected);
        } finally {
          await server.kill('SIGTERM');
        }
      } finally {
        await database.drop();
        rmSync(home, { recursive: true, force: true });
      }
    });
  });
}
