// Runs in flight across a downgrade and an upgrade, on every dialect: every run ends SUCCEEDED and no
// task runs to its end twice.
//
// What it proves, and how. The previous release's code cannot run here, so the previous release's
// *schema* stands in for it: `cairn up` (this code, as a real process, with its embedded worker) runs the
// pipelines on a database that `cairn admin downgrade --to 0.3.0` takes back to schema 10 while runs are
// in flight, and that `cairn admin upgrade` then brings to schema 11 with runs in flight again, among
// them runs started while the database was at 0.3.0's schema. That is the upgrade of the issue, from the
// previous release's schema with its runs in flight, except that the worker running them is this
// release's, not 0.3.0's (between the two plans it goes on serving and running tasks on schema 10: its
// maintenance watch stops writes only on a schema newer than its code, and 0011 only adds indexes). Both
// paths of the drain are taken, deterministically:
// - the downgrade's tasks do not finish within its --drain-timeout, so it stops them: the workers kill
//   them and hand them back without using up an attempt, and they run again, whole, once it is done;
// - the upgrade's tasks finish during its drain (the test lets them, once every server has seen the
//   drain), are recorded, and are never run again, while their successors wait for the upgrade to end.
// Each task waits for a gate file before it appends its line to a marker file, so the test decides when
// tasks may finish; a task killed while it waits writes nothing, and one that ran twice to its end
// would write its line twice.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { compile, containerComponent, Parameter, pipeline } from '@cairn/sdk';
import type { Kysely } from 'kysely';
import { TASK_STATE } from '../../../src/engine/leases/task-states.ts';
import { createRun } from '../../../src/engine/runs/create-run.ts';
import { TASK_KIND } from '../../../src/engine/scheduler/task-kinds.ts';
import { readMaintenance } from '../../../src/lifecycle/maintenance/maintenance-state.ts';
import { PlanStore, type UpgradePlan } from '../../../src/lifecycle/upgrade/upgrade-plan.ts';
import { Migrator } from '../../../src/store/migrator/migrator.ts';
import type { CairnDatabase } from '../../../src/store/tables.ts';
import { WorkerProcess } from '../../engine/crash/worker-process.ts';
import { createMigratedDatabase, type MigratedDatabase } from '../../support/migrated-database.ts';
import { dialectTargets } from '../../support/test-databases.ts';
import { waitFor } from '../maintenance/support/wait-for.ts';
import { CairnProcess } from './support/cairn-process.ts';
import { releaseEntry } from './support/fixture-deployment.ts';

const PREVIOUS = releaseEntry('0.3.0');
const CURRENT = releaseEntry('0.4.0');
const STEPS = ['step-1', 'step-2'] as const;

/** Each step waits for its gate file, then appends `<tag> <step>` to the marker file. */
function gatedPipeline(dir: string): string {
  const marker = path.join(dir, 'marker');
  const [first, second] = STEPS.map((name) =>
    containerComponent({
      name,
      image: 'alpine',
      inputs: { tag: Parameter.String },
      command: ({ inputs }) => [
        'sh',
        '-c',
        'while [ ! -e "$2" ]; do sleep 0.05; done; echo "$0 $1" >> "$3"',
        inputs.tag,
        name,
        path.join(dir, `${name}.gate`),
        marker,
      ],
    }),
  ) as [ReturnType<typeof containerComponent>, ReturnType<typeof containerComponent>];
  return compile(
    pipeline({ name: 'in-flight', inputs: { tag: Parameter.String } }, ({ tag }) => {
      second({ tag }).setCachingOptions(false).after(first({ tag }).setCachingOptions(false));
    }),
  );
}

for (const { dialect, skip } of await dialectTargets()) {
  describe(`runs in flight through a downgrade and an upgrade on ${dialect}`, { skip }, () => {
    test('every run succeeds and no task runs to its end twice', { timeout: 120_000 }, async () => {
      const store: MigratedDatabase = await createMigratedDatabase(dialect);
      const dir = mkdtempSync(path.join(os.tmpdir(), `cairn-in-flight-${dialect}-`));
      const stores = [
        '--db',
        store.database.url,
        '--artifacts',
        path.join(dir, 'artifacts'),
        '--home',
        path.join(dir, 'home'),
      ];
      const server = new WorkerProcess({
        command: 'up',
        db: store.database.url,
        artifacts: path.join(dir, 'artifacts'),
        home: path.join(dir, 'home'),
        name: 'up-through-upgrades',
        args: ['--port', '0', '--poll-ms', '50', '--concurrency', '4'],
      });
      const plans: CairnProcess[] = [];
      try {
        await server.waitForLine(/^ {2}worker /, 30_000);
        const spec = gatedPipeline(dir);
        const start = (tag: string) =>
          createRun(store.db, store.dialect, { displayName: tag, pipelineSpec: spec, parameters: { tag } });
        await start('a');
        await start('b');
        await firstStepsRunning(store.db, 2);

        // The downgrade: its first steps never finish in time, so its drain stops them.
        const downgrade = new CairnProcess([
          'admin',
          'downgrade',
          '--to',
          PREVIOUS.version,
          '--yes',
          '--drain-timeout',
          '3',
          ...stores,
        ]);
        plans.push(downgrade);
        const downgraded = await downgrade.finished();
        assert.equal(downgraded, 0, `${downgrade.describe(downgraded)}\n${server.tail()}`);
        assert.equal(await schemaVersion(store), PREVIOUS.schema_version);
        assert.match(
          step(await latestPlan(store), 'drain', 'remaining tasks stopped').detail ?? '',
          /^running tasks stopped/,
        );

        // Runs started on the previous release's schema, beside the two stopped ones, which resume.
        await start('c');
        await start('d');
        await firstStepsRunning(store.db, 4);

        // The upgrade: once every server drains, the first steps may finish; their successors wait.
        const upgrade = new CairnProcess(['admin', 'upgrade', '--yes', '--drain-timeout', '60', ...stores]);
        plans.push(upgrade);
        await Promise.all([
          upgrade.waitForLine(/^drain: running tasks finish \.\.\.$/),
          server.waitForLine(/cairn up: draining for maintenance \(plan /, 30_000),
        ]);
        writeFileSync(path.join(dir, 'step-1.gate'), '');
        const upgraded = await upgrade.finished();
        assert.equal(upgraded, 0, `${upgrade.describe(upgraded)}\n${server.tail()}`);
        assert.equal(await schemaVersion(store), CURRENT.schema_version);
        const upgradePlan = await latestPlan(store);
        assert.equal(step(upgradePlan, 'drain', 'running tasks finish').detail, 'no task is running');
        assert.equal(step(upgradePlan, 'drain', 'remaining tasks stopped').detail, 'none to stop');
        assert.equal((await readMaintenance(store.db, store.dialect)).mode, 'serving');

        writeFileSync(path.join(dir, 'step-2.gate'), '');
        await waitFor(
          'every run to end',
          async () => {
            const runs = await store.db.selectFrom('runs').select(['display_name', 'state']).execute();
            return runs.every((run) => run.state === 'SUCCEEDED' || run.state === 'FAILED')
              ? runs
              : undefined;
          },
          30_000,
        ).then((runs) =>
          assert.deepEqual(
            runs.map((run) => `${run.display_name} ${run.state}`).sort(),
            ['a SUCCEEDED', 'b SUCCEEDED', 'c SUCCEEDED', 'd SUCCEEDED'],
            server.tail(),
          ),
        );
        assert.deepEqual(
          readFileSync(path.join(dir, 'marker'), 'utf8').trim().split('\n').sort(),
          ['a', 'b', 'c', 'd'].flatMap((tag) => STEPS.map((name) => `${tag} ${name}`)),
          'each task ran to its end once',
        );
        // The stopped attempts were given back, not failed: counted as lost, the next one ran.
        const attempts = await store.db
          .selectFrom('tasks')
          .innerJoin('runs', 'runs.id', 'tasks.run_id')
          .select(['runs.display_name', 'tasks.name', 'tasks.attempt', 'tasks.lost_attempts'])
          .where('tasks.kind', '=', TASK_KIND.CONTAINER)
          .execute();
        assert.deepEqual(
          attempts
            .map((task) => `${task.display_name} ${task.name}: ${task.attempt} (${task.lost_attempts} lost)`)
            .sort(),
          [
            'a step-1: 2 (1 lost)',
            'a step-2: 1 (0 lost)',
            'b step-1: 2 (1 lost)',
            'b step-2: 1 (0 lost)',
            'c step-1: 1 (0 lost)',
            'c step-2: 1 (0 lost)',
            'd step-1: 1 (0 lost)',
            'd step-2: 1 (0 lost)',
          ],
        );
        assert.equal(await server.kill('SIGTERM'), 0, server.tail());
      } finally {
        for (const plan of plans) plan.child.kill('SIGKILL');
        server.child.kill('SIGKILL');
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

/** Waits until `count` first steps are running, each under a worker's lease. */
async function firstStepsRunning(db: Kysely<CairnDatabase>, count: number): Promise<void> {
  await waitFor(`${count} first steps to run`, async () => {
    const running = await db
      .selectFrom('tasks')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('name', '=', STEPS[0])
      .where('state', '=', TASK_STATE.RUNNING)
      .where('lease_owner', 'is not', null)
      .executeTakeFirstOrThrow();
    return Number(running.n) === count ? true : undefined;
  });
}

async function schemaVersion(store: MigratedDatabase): Promise<number> {
  return (await new Migrator({ db: store.handle.db, dialect: store.dialect }).status()).databaseSchemaVersion;
}

async function latestPlan(store: MigratedDatabase): Promise<UpgradePlan> {
  const plan = await new PlanStore(store.handle.db, store.dialect).latest();
  assert.ok(plan);
  return plan;
}

function step(plan: UpgradePlan, phase: string, name: string) {
  const found = plan.steps.find((candidate) => candidate.phase === phase && candidate.name === name);
  assert.ok(found, `plan ${plan.id} has no step ${phase}/${name}`);
  return found;
}
