// `cairn admin upgrade --yes` killed with SIGKILL in each phase of its plan, then run again, on every
// dialect, from the previous release's data (fixtures/releases/0.3.0, schema 10, to this code's 11).
//
// Each kill is deterministic: the upgrade is held at one statement of the phase and killed only once the
// database shows it waiting there. On MySQL and PostgreSQL a lock the test holds from a session of its
// own does the holding; on SQLite, whose one write lock would stop the upgrade at its next write
// whatever that is, the child stops itself before the chosen statement (support/pause-at-statement.ts).
// A run in flight, whose task the test holds as a running worker would, keeps the upgrade in its drain
// until the test gives the task back: the locks of the later phases are taken there.
//
// After the kill the plan is left as the crash left it, except that its heartbeat is moved back past
// PLAN_STALE_MS (what the minutes before someone runs the command again would do). The second attempt
// must continue that same plan, not start another, and end with the schema at the target, every row and
// object of the release kept, and the servers told to serve again.
//
// The rollback is provoked by a writer that ignores the drain (a worker of a release from before
// maintenance mode existed): it adds a row while the migration runs, so verify's row counts differ and
// the plan rolls back. Killed as its rollback begins, or in the middle of it (down migrations on SQLite
// and PostgreSQL, the restore of the plan's backup on MySQL), the next attempt finishes the rollback,
// back to schema 10.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { readMaintenance } from '../../../src/lifecycle/maintenance/maintenance-state.ts';
import { STEPS_TABLE } from '../../../src/lifecycle/upgrade/plan-tables.ts';
import type { Phase } from '../../../src/lifecycle/upgrade/upgrade-plan.ts';
import type { DialectName } from '../../../src/store/dialects/store-dialect.ts';
import { dialectTargets } from '../../support/test-databases.ts';
import { CairnProcess, type StatementPause } from './support/cairn-process.ts';
import {
  assertFixtureKept,
  deployFixture,
  type FixtureDeployment,
  letPlanGoStale,
  recordedPlans,
  releaseEntry,
  schemaStatus,
} from './support/fixture-deployment.ts';
import { holdRunningTask } from './support/held-task.ts';
import {
  endWaitingSessions,
  type HeldSession,
  holdTableLock,
  holdTransaction,
  type LockStops,
  otherSessionsSettled,
  statementWaitingForLock,
} from './support/session-locks.ts';

const FROM = releaseEntry('0.3.0');
const TO = releaseEntry('0.4.0');

/**
 * A lock the test takes on MySQL or PostgreSQL: before the upgrade starts, while it drains, or (when it
 * rolls back) while its migration waits for the test.
 */
interface Hold {
  readonly at: 'start' | 'drain' | 'migrate';
  /** `planId` is known once the upgrade has started. */
  take(deployment: FixtureDeployment, planId?: string): Promise<HeldSession>;
}

/** Where the first attempt is held, and the statement it must be found waiting to run there. */
type Stop =
  | { readonly pause: StatementPause; readonly blocked: RegExp }
  | { readonly hold: Hold; readonly blocked: RegExp };

interface KillScenario {
  readonly name: string;
  /** The phase the first unfinished step is in when the upgrade is killed. */
  readonly phase: Phase;
  /** A row is added behind the upgrade's back while it migrates, so its verify fails and it rolls back. */
  readonly rollsBack: boolean;
  /** Undefined: killed while the drain waits for the held task. */
  readonly stop?: Record<DialectName, Stop>;
  /**
   * A statement a killed process had sent still runs on the server once the lock is free, unless the
   * server ends its session first; `ended` makes it end them (the statement then never happened).
   */
  readonly leftover?: 'ended';
}

const lock = (at: Hold['at'], table: string, stops: LockStops): Hold => ({
  at,
  take: (deployment) => holdTableLock(deployment.database, table, stops),
});

/** Holds the row the rollback's first step would take, so the step cannot be recorded. */
const firstRollbackStepRow: Hold = {
  at: 'migrate',
  async take(deployment, planId) {
    assert.ok(planId);
    const steps = await deployment.handle.db
      .selectFrom(STEPS_TABLE)
      .select((eb) => eb.fn.max('seq').as('last'))
      .where('plan_id', '=', planId)
      .executeTakeFirstOrThrow();
    return holdTransaction(deployment.database, [
      `insert into ${STEPS_TABLE} (plan_id, seq, phase, name, state)
       values ('${planId}', ${Number(steps.last) + 1}, 'rollback', 'held by the test', 'pending')`,
    ]);
  },
};

const SCENARIOS: KillScenario[] = [
  {
    name: 'preflight, reading the stored pipelines',
    phase: 'preflight',
    rollsBack: false,
    stop: {
      sqlite: { pause: { sql: /from "pipeline_versions"/ }, blocked: /pipeline_versions/ },
      mysql: { hold: lock('start', 'pipeline_versions', 'reads'), blocked: /pipeline_versions/ },
      postgres: { hold: lock('start', 'pipeline_versions', 'reads'), blocked: /pipeline_versions/ },
    },
  },
  {
    name: 'backup, recording the archive it wrote',
    phase: 'backup',
    rollsBack: false,
    stop: {
      sqlite: { pause: { sql: /insert into "lifecycle_audit"/ }, blocked: /lifecycle_audit/ },
      mysql: { hold: lock('start', 'lifecycle_audit', 'writes'), blocked: /lifecycle_audit/ },
      postgres: { hold: lock('start', 'lifecycle_audit', 'writes'), blocked: /lifecycle_audit/ },
    },
  },
  { name: 'drain, waiting for a running task', phase: 'drain', rollsBack: false },
  {
    name: 'migrate, building an index on runs',
    phase: 'migrate',
    rollsBack: false,
    stop: {
      // The second index of 0011: the first is built, inside the migration's transaction.
      sqlite: { pause: { sql: /create index "runs_namespace_state_name_idx"/ }, blocked: /create index/ },
      mysql: { hold: lock('drain', 'runs', 'writes'), blocked: /create index/ },
      postgres: { hold: lock('drain', 'runs', 'writes'), blocked: /create index/ },
    },
  },
  {
    name: 'verify, recording its integrity check',
    phase: 'verify',
    rollsBack: false,
    stop: {
      // The first such insert is the backup's record.
      sqlite: { pause: { sql: /insert into "lifecycle_audit"/, nth: 2 }, blocked: /lifecycle_audit/ },
      mysql: { hold: lock('drain', 'lifecycle_audit', 'writes'), blocked: /lifecycle_audit/ },
      postgres: { hold: lock('drain', 'lifecycle_audit', 'writes'), blocked: /lifecycle_audit/ },
    },
  },
  {
    name: 'resume, telling the servers to serve',
    phase: 'resume',
    rollsBack: false,
    stop: {
      // The first such write is the drain's.
      sqlite: { pause: { sql: /insert into "cairn_maintenance"/, nth: 2 }, blocked: /cairn_maintenance/ },
      mysql: { hold: lock('drain', 'cairn_maintenance', 'writes'), blocked: /cairn_maintenance/ },
      postgres: { hold: lock('drain', 'cairn_maintenance', 'writes'), blocked: /cairn_maintenance/ },
    },
  },
  {
    name: 'rollback, as it begins (before its steps are recorded)',
    phase: 'rollback',
    rollsBack: true,
    leftover: 'ended',
    stop: {
      // The first such insert is the plan's own steps.
      sqlite: { pause: { sql: /insert into "cairn_upgrade_steps"/, nth: 2 }, blocked: /cairn_upgrade_steps/ },
      mysql: { hold: firstRollbackStepRow, blocked: /cairn_upgrade_steps/ },
      postgres: { hold: firstRollbackStepRow, blocked: /cairn_upgrade_steps/ },
    },
  },
  {
    name: 'rollback, undoing the migration',
    phase: 'rollback',
    rollsBack: true,
    stop: {
      // Down migrations on SQLite and PostgreSQL, killed inside the transaction of 0011's down step;
      // on MySQL the restore of the plan's backup, killed while it drops the migrated tables.
      sqlite: { pause: { sql: /drop index "runs_namespace_experiment_idx"/ }, blocked: /drop index/ },
      mysql: { hold: lock('migrate', 'contexts', 'writes'), blocked: /drop table/ },
      postgres: { hold: lock('start', 'runs', 'schema'), blocked: /drop index/ },
    },
  },
];

const targets = await dialectTargets();

for (const { dialect, skip } of targets) {
  describe(`cairn admin upgrade killed in each phase, then run again, on ${dialect}`, { skip }, () => {
    for (const scenario of SCENARIOS) {
      // A lock wait the test did not foresee would otherwise hang the suite.
      test(`killed in ${scenario.name}`, { timeout: 90_000 }, () => killAndRunAgain(dialect, scenario));
    }
  });
}

async function killAndRunAgain(dialect: DialectName, scenario: KillScenario): Promise<void> {
  const deployment = await deployFixture(dialect, FROM.version);
  const held: HeldSession[] = [];
  const processes: CairnProcess[] = [];
  try {
    const task = await holdRunningTask(deployment.db, deployment.dialect);
    const stop = scenario.stop?.[dialect];
    const hold = stop && 'hold' in stop ? stop.hold : undefined;
    if (hold?.at === 'start') held.push(await hold.take(deployment));
    // On SQLite the rollback's writer waits for the migration at its first statement, and goes on after.
    const migrationGoesOn = path.join(deployment.home, 'migration-goes-on');
    const pauses = [
      ...(dialect === 'sqlite' && scenario.rollsBack
        ? [{ sql: /^begin exclusive$/, until: migrationGoesOn }]
        : []),
      ...(stop && 'pause' in stop ? [stop.pause] : []),
    ];

    const first = new CairnProcess(['admin', 'upgrade', '--yes', ...deployment.args], { pauses });
    processes.push(first);
    const planId = /^starting upgrade plan ([0-9a-f-]{36}):/.exec(
      await first.waitForLine(/^starting upgrade plan /),
    )?.[1];
    assert.ok(planId);
    // Whether the first attempt gets as far as the drain, and whether it is to go on past it.
    const drains = scenario.phase !== 'preflight' && scenario.phase !== 'backup';
    const pastDrain = drains && stop !== undefined;
    if (drains) {
      await first.waitForLine(/^drain: running tasks finish \.\.\.$/);
      if (hold?.at === 'drain') held.push(await hold.take(deployment, planId));
      const migration =
        scenario.rollsBack && dialect !== 'sqlite'
          ? await holdTableLock(deployment.database, 'runs', 'writes')
          : undefined;
      // The worker's task is done or stopped: the drain goes on, to where the stop holds it.
      if (pastDrain) assert.equal(await task.handBack(), true);
      if (scenario.rollsBack) {
        if (migration) await statementWaitingForLock(deployment.database, /create index/);
        else await first.waitForLine(/^paused at: begin exclusive$/);
        await addRowBehindTheUpgrade(deployment);
        if (hold?.at === 'migrate') held.push(await hold.take(deployment, planId));
        if (migration) await migration.release();
        else writeFileSync(migrationGoesOn, '');
      }
    }
    if (stop) {
      const statement =
        'pause' in stop
          ? await first.waitForLine(new RegExp(`^paused at: .*${stop.pause.sql.source}`))
          : await statementWaitingForLock(deployment.database, stop.blocked).catch((error: Error) => {
              throw new Error(`${error.message}\n${first.describe('running')}`);
            });
      assert.match(statement, stop.blocked, first.describe('running'));
    }
    assert.equal(await first.kill(), 'SIGKILL');
    if (dialect !== 'sqlite') {
      if (scenario.leftover === 'ended') await endWaitingSessions(deployment.database);
      for (const session of held.splice(0)) await session.release();
      await otherSessionsSettled(deployment.database);
    }

    const [killed, ...others] = await recordedPlans(deployment);
    assert.equal(others.length, 0, 'one plan');
    assert.equal(killed?.id, planId);
    if (scenario.phase === 'rollback') {
      assert.equal(killed?.state, 'rolling-back', first.describe('killed'));
      const rollbackSteps = killed?.steps.filter((step) => step.phase === 'rollback') ?? [];
      if (scenario.leftover === 'ended')
        assert.deepEqual(rollbackSteps, [], 'killed before they were recorded');
      else assert.equal(rollbackSteps[0]?.state, 'running', 'killed in the middle of the rollback');
    } else {
      assert.equal(killed?.state, 'running');
      const unfinished = killed?.steps.find((step) => step.state !== 'done' && step.state !== 'skipped');
      assert.equal(
        unfinished?.phase,
        scenario.phase,
        `killed in ${scenario.phase}: ${first.describe('killed')}`,
      );
    }
    if (scenario.phase === 'drain') {
      // Until the plan is finished, the servers stay drained.
      assert.equal((await readMaintenance(deployment.handle.db, deployment.dialect)).mode, 'draining');
    }

    // Meanwhile the worker gave its task back (if it had not yet), and the plan's process is long gone.
    if (!pastDrain) assert.equal(await task.handBack(), true);
    await letPlanGoStale(deployment, planId);
    const second = new CairnProcess(['admin', 'upgrade', '--yes', ...deployment.args]);
    processes.push(second);
    const code = await second.finished();
    const output = second.describe(code);
    assert.match(second.out.join('\n'), new RegExp(`^continuing upgrade plan ${planId}:`, 'm'), output);

    const plans = await recordedPlans(deployment);
    assert.deepEqual(
      plans.map((plan) => plan.id),
      [planId],
      'the same plan was continued, none added',
    );
    const [plan] = plans;
    const status = await schemaStatus(deployment);
    if (scenario.rollsBack) {
      assert.equal(code, 1, output);
      assert.match(second.err.join('\n'), /failed and was rolled back/, output);
      assert.equal(plan?.state, 'rolled-back', output);
      assert.match(plan?.error ?? '', /row counts changed: .*contexts: \d+ before, \d+ after/);
      assert.deepEqual(
        plan?.steps.filter((step) => step.phase === 'rollback').map((step) => step.state),
        ['done', 'done'],
      );
      assert.equal(status.databaseSchemaVersion, FROM.schema_version);
    } else {
      assert.equal(code, 0, output);
      assert.equal(plan?.state, 'succeeded', output);
      assert.deepEqual(
        plan?.steps.filter((step) => step.state !== 'done' && step.state !== 'skipped'),
        [],
        'every step is done',
      );
      assert.equal(status.databaseSchemaVersion, TO.schema_version);
    }
    assert.deepEqual([status.interrupted, status.unknown, status.checksumMismatches], [[], [], []]);
    await assertFixtureKept(deployment);
    assert.equal((await readMaintenance(deployment.handle.db, deployment.dialect)).mode, 'serving');
  } finally {
    for (const child of processes) child.child.kill('SIGKILL');
    for (const session of held) await session.release().catch(() => undefined);
    await deployment.close();
  }
}

/**
 * A lineage context written while the upgrade migrates, by something that does not obey the drain (a
 * worker of a release from before maintenance mode existed): the row counts verify compares then differ.
 * A table no foreign key links to runs, whose migration MySQL would otherwise make it wait for.
 */
async function addRowBehindTheUpgrade(deployment: FixtureDeployment): Promise<void> {
  await deployment.db
    .insertInto('contexts')
    .values({
      id: '0b6f2b8e-5d1a-4c36-9a57-1f0d1c0e00ee',
      type: 'system.PipelineRun',
      name: 'written during the upgrade',
      metadata: null,
      created_at: Date.now(),
    })
    .execute();
}
