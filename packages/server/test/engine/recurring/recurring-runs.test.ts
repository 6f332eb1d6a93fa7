// Recurring runs in the database: created with everything a fired run needs checked, fired by the
// database clock with KFP's catch-up rules, held back by max_concurrency, each slot fired once however
// many schedulers race, and fired on time by the ticker. On every dialect.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, beforeEach, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { compile, containerComponent, Parameter, pipeline } from '@cairn/sdk';
import type { Kysely } from 'kysely';
import { createExperiment, getExperiment } from '../../../src/catalog/experiments.ts';
import { databaseNow } from '../../../src/engine/leases/database-now.ts';
import { inWriteTransaction } from '../../../src/engine/leases/write-transaction.ts';
import {
  createRecurringRun,
  type NewRecurringRun,
} from '../../../src/engine/recurring/create-recurring-run.ts';
import { type FireReport, fireDueRecurringRuns } from '../../../src/engine/recurring/fire-recurring-runs.ts';
import {
  deleteRecurringRun,
  setRecurringRunEnabled,
} from '../../../src/engine/recurring/manage-recurring-run.ts';
import { RecurringRunTicker } from '../../../src/engine/recurring/recurring-run-ticker.ts';
import { insertRun, prepareRun } from '../../../src/engine/runs/create-run.ts';
import { setRunState } from '../../../src/engine/runs/run-history.ts';
import { connectDatabase } from '../../../src/store/connect-database.ts';
import type { StoreDialect } from '../../../src/store/dialects/store-dialect.ts';
import type { DatabaseHandle } from '../../../src/store/open-database.ts';
import type { CairnDatabase } from '../../../src/store/tables.ts';
import { createMigratedDatabase, type MigratedDatabase } from '../../support/migrated-database.ts';
import { dialectTargets, type TestDatabase } from '../../support/test-databases.ts';

const echo = containerComponent({
  name: 'echo',
  image: 'busybox',
  inputs: { epochs: Parameter.Integer },
  command: ({ inputs }) => ['echo', inputs.epochs],
});
const SPEC = compile(
  pipeline({ name: 'nightly', inputs: { epochs: Parameter.Integer } }, ({ epochs }) => {
    echo({ epochs });
  }),
);

const MINUTE = 60_000;
/** A fixed past, so that which slots are due does not depend on when the test runs. */
const START = Date.UTC(2026, 0, 1);

/** Every minute for ten minutes, long ago: ten slots, START + 1 min to START + 10 min, all due. */
function tenPastMinutes(overrides: Partial<NewRecurringRun> = {}): NewRecurringRun {
  return {
    displayName: 'nightly',
    pipelineSpec: SPEC,
    parameters: { epochs: 3 },
    trigger: { kind: 'INTERVAL', intervalSeconds: 60, startTime: START, endTime: START + 10 * MINUTE },
    maxConcurrency: 10,
    ...overrides,
  };
}

function minutes(...offsets: number[]): number[] {
  return offsets.map((offset) => START + offset * MINUTE);
}

for (const { dialect, skip } of await dialectTargets()) {
  describe(`recurring runs on ${dialect}`, { skip }, () => {
    let store: MigratedDatabase;
    let database: TestDatabase;
    let handle: DatabaseHandle;
    let db: Kysely<CairnDatabase>;
    let storeDialect: StoreDialect;

    before(async () => {
      store = await createMigratedDatabase(dialect);
      ({ database, handle, db } = store);
      storeDialect = handle.dialect;
    });
    after(async () => {
      await store.close();
    });
    // Each test looks at its own recurring runs only: the others are disabled, so they do not fire.
    beforeEach(async () => {
      await db.updateTable('recurring_runs').set({ enabled: 0 }).execute();
    });

    const fire = (catchupCap = 10) => fireDueRecurringRuns(db, storeDialect, { catchupCap });

    async function slotsOf(recurringRunId: string): Promise<number[]> {
      const runs = await db
        .selectFrom('runs')
        .select('scheduled_at')
        .where('recurring_run_id', '=', recurringRunId)
        .orderBy('scheduled_at')
        .execute();
      return runs.map((run) => run.scheduled_at ?? Number.NaN);
    }

    async function recurringRow(id: string) {
      return db.selectFrom('recurring_runs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    }

    async function endRuns(recurringRunId: string, count: number): Promise<void> {
      const runs = await db
        .selectFrom('runs')
        .select('id')
        .where('recurring_run_id', '=', recurringRunId)
        .where('state', '=', 'RUNNING')
        .orderBy('scheduled_at')
        .limit(count)
        .execute();
      await inWriteTransaction(db, storeDialect, async (trx) => {
        const now = await databaseNow(trx, storeDialect);
        for (const run of runs) await setRunState(trx, run.id, 'SUCCEEDED', now);
      });
    }

    test('creation checks the trigger, the concurrency, the pipeline and the parameters', async () => {
      const refusals: [Partial<NewRecurringRun>, RegExp][] = [
        [{ displayName: ' ' }, /display_name is empty/],
        [{ pipelineSpec: undefined }, /exactly one of pipeline_spec and pipeline_version_reference/],
        [{ pipelineVersionId: randomUUID() }, /exactly one of/],
        [{ trigger: { kind: 'CRON', cron: '0 0 61 * * *' } }, /SCHEDULE_INVALID|cron|61/],
        [{ trigger: { kind: 'INTERVAL', intervalSeconds: 0 } }, /interval/],
        [{ maxConcurrency: 11 }, /max_concurrency is 11; expected a whole number from 1 to 10/],
        [
          { parameters: { epochs: 'three' } },
          /parameter "epochs" is "three", which is not a NUMBER_INTEGER value/,
        ],
        [
          { parameters: { epoch: 3 } },
          /parameter "epoch" is not an input of the pipeline; its inputs: epochs/,
        ],
        [{ pipelineSpec: 'pipelineInfo: {name: x}' }, /does not validate/],
      ];
      for (const [overrides, message] of refusals) {
        await assert.rejects(createRecurringRun(db, storeDialect, tenPastMinutes(overrides)), message);
      }
      await assert.rejects(
        createRecurringRun(db, storeDialect, {
          ...tenPastMinutes({ pipelineSpec: undefined }),
          pipelineVersionId: randomUUID(),
        }),
        { code: 'PIPELINE_VERSION_NOT_FOUND' },
      );
      const count = await db
        .selectFrom('recurring_runs')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirst();
      assert.equal(Number(count?.n), 0, 'a refused recurring run leaves no row');
    });

    test('catch-up fires the most recent missed slots up to the cap, and never again', async () => {
      const id = await createRecurringRun(db, storeDialect, tenPastMinutes());
      assert.equal((await recurringRow(id)).next_fire_at, START + MINUTE);
      const report = await fire(3);
      assert.deepEqual(
        report.fired.filter((slot) => slot.recurringRunId === id).map((slot) => slot.slot),
        minutes(8, 9, 10),
      );
      assert.deepEqual(
        report.skipped.find((skipped) => skipped.recurringRunId === id),
        {
          recurringRunId: id,
          count: 7,
          first: START + MINUTE,
          last: START + 7 * MINUTE,
          reason: 'catchup_cap',
        },
      );
      assert.deepEqual(await slotsOf(id), minutes(8, 9, 10));
      const row = await recurringRow(id);
      assert.equal(row.last_fired_at, START + 10 * MINUTE);
      assert.equal(row.next_fire_at, null, 'the schedule has ended');

      // A restart looks again: nothing is due, nothing fires twice.
      const again = await fire(3);
      assert.deepEqual(again.fired, []);
      assert.deepEqual(await slotsOf(id), minutes(8, 9, 10));

      // The runs are real runs, started, with the recurring run's parameters and a name per slot.
      const runs = await db
        .selectFrom('runs')
        .selectAll()
        .where('recurring_run_id', '=', id)
        .orderBy('scheduled_at')
        .execute();
      assert.deepEqual(
        runs.map((run) => [run.display_name, run.state]),
        [
          ['nightly 2026-01-01T00:08:00Z', 'RUNNING'],
          ['nightly 2026-01-01T00:09:00Z', 'RUNNING'],
          ['nightly 2026-01-01T00:10:00Z', 'RUNNING'],
        ],
      );
      assert.deepEqual(JSON.parse(runs[0]?.runtime_config ?? '').parameters, { epochs: 3 });
      const queued = await db
        .selectFrom('tasks')
        .select(['path', 'state', 'inputs'])
        .where('run_id', '=', runs[0]?.id ?? '')
        .where('path', '=', 'root/echo')
        .executeTakeFirstOrThrow();
      assert.equal(queued.state, 'QUEUED');
      assert.deepEqual(JSON.parse(queued.inputs ?? '').parameters, { epochs: 3 });
    });

    test('no_catchup fires only the most recent missed slot', async () => {
      const id = await createRecurringRun(db, storeDialect, tenPastMinutes({ noCatchup: true }));
      const report = await fire(3);
      assert.deepEqual(await slotsOf(id), minutes(10));
      assert.equal(report.skipped.find((skipped) => skipped.recurringRunId === id)?.reason, 'no_catchup');
      assert.equal(report.skipped.find((skipped) => skipped.recurringRunId === id)?.count, 9);
    });

    test('max_concurrency holds slots back until runs end, then fires them in order', async () => {
      const id = await createRecurringRun(
        db,
        storeDialect,
        tenPastMinutes({
          maxConcurrency: 2,
          trigger: { kind: 'INTERVAL', intervalSeconds: 60, startTime: START, endTime: START + 5 * MINUTE },
        }),
      );
      const first = await fire();
      assert.deepEqual(await slotsOf(id), minutes(1, 2));
      assert.ok(first.waiting.includes(id));
      assert.equal((await recurringRow(id)).next_fire_at, START + 3 * MINUTE, 'the held slot stays due');

      const held = await fire();
      assert.deepEqual(await slotsOf(id), minutes(1, 2), 'both runs are still active');
      assert.ok(held.waiting.includes(id));

      await endRuns(id, 1);
      await fire();
      assert.deepEqual(await slotsOf(id), minutes(1, 2, 3));
      await endRuns(id, 2);
      const last = await fire();
      assert.deepEqual(await slotsOf(id), minutes(1, 2, 3, 4, 5));
      assert.ok(!last.waiting.includes(id));
      assert.equal((await recurringRow(id)).next_fire_at, null);
    });

    test('a disabled recurring run does not fire; enabled again, it catches up from its last slot', async () => {
      const id = await createRecurringRun(db, storeDialect, tenPastMinutes({ enabled: false }));
      await fire(2);
      assert.deepEqual(await slotsOf(id), []);
      await setRecurringRunEnabled(db, storeDialect, id, true);
      await fire(2);
      assert.deepEqual(await slotsOf(id), minutes(9, 10));
      await setRecurringRunEnabled(db, storeDialect, id, false);
      assert.equal((await recurringRow(id)).enabled, 0);
      await assert.rejects(setRecurringRunEnabled(db, storeDialect, randomUUID(), true), {
        code: 'RECURRING_RUN_NOT_FOUND',
      });
    });

    test('a slot whose run can no longer start is spent as a FAILED run with the reason', async () => {
      const id = await createRecurringRun(db, storeDialect, tenPastMinutes());
      // As if an upgrade had changed what the parameters must be: stored before, wrong now.
      await db
        .updateTable('recurring_runs')
        .set({ runtime_config: JSON.stringify({ parameters: { epochs: 'three' } }) })
        .where('id', '=', id)
        .execute();
      const report = await fire(1);
      const fired = report.fired.find((slot) => slot.recurringRunId === id);
      assert.match(fired?.error ?? '', /parameter "epochs" is "three"/);
      const run = await db
        .selectFrom('runs')
        .selectAll()
        .where('id', '=', fired?.runId ?? '')
        .executeTakeFirstOrThrow();
      assert.equal(run.state, 'FAILED');
      assert.equal(run.scheduled_at, START + 10 * MINUTE);
      assert.match(run.error ?? '', /parameter "epochs"/);
      const history = await db
        .selectFrom('run_state_history')
        .select('state')
        .where('run_id', '=', run.id)
        .orderBy('seq')
        .execute();
      assert.deepEqual(
        history.map((entry) => entry.state),
        ['PENDING', 'FAILED'],
      );
      assert.equal((await recurringRow(id)).last_fired_at, START + 10 * MINUTE);
    });

    test("fired runs join the recurring run's experiment and move its last run time on, a failed one too", async () => {
      const experiment = await createExperiment(db, storeDialect, { displayName: `exp-${randomUUID()}` });
      const id = await createRecurringRun(db, storeDialect, tenPastMinutes({ experimentId: experiment.id }));
      const lastRunCreatedAt = async () => (await getExperiment(db, experiment.id)).last_run_created_at;
      const before = await databaseNow(db, storeDialect);
      await fire(1);
      const [started] = await db.selectFrom('runs').selectAll().where('recurring_run_id', '=', id).execute();
      assert.equal(started?.experiment_id, experiment.id);
      const first = await lastRunCreatedAt();
      assert.ok(first !== null && first % 1000 === 0, `kept to the second: ${first}`);
      assert.ok(first >= before - (before % 1000) && first <= (started?.created_at ?? 0));

      // A slot that can no longer start still fires a run, FAILED, in the same experiment.
      await db.updateTable('recurring_runs').set({ enabled: 0 }).where('id', '=', id).execute();
      const broken = await createRecurringRun(
        db,
        storeDialect,
        tenPastMinutes({ experimentId: experiment.id }),
      );
      await db
        .updateTable('recurring_runs')
        .set({ runtime_config: JSON.stringify({ parameters: { epochs: 'three' } }) })
        .where('id', '=', broken)
        .execute();
      await db
        .updateTable('experiments')
        .set({ last_run_created_at: null })
        .where('id', '=', experiment.id)
        .execute();
      const report = await fire(1);
      const failed = report.fired.find((slot) => slot.recurringRunId === broken);
      assert.ok(failed?.error);
      const run = await db
        .selectFrom('runs')
        .selectAll()
        .where('id', '=', failed.runId)
        .executeTakeFirstOrThrow();
      assert.deepEqual([run.state, run.experiment_id], ['FAILED', experiment.id]);
      assert.equal(await lastRunCreatedAt(), run.created_at - (run.created_at % 1000));
    });

    test('a pipeline version reference fires runs of that version', async () => {
      const pipelineId = randomUUID();
      const versionId = randomUUID();
      await db
        .insertInto('pipelines')
        .values({
          id: pipelineId,
          name: `p-${pipelineId}`,
          display_name: 'p',
          description: null,
          created_at: START,
        })
        .execute();
      await db
        .insertInto('pipeline_versions')
        .values({
          id: versionId,
          pipeline_id: pipelineId,
          name: 'v1',
          display_name: 'v1',
          description: null,
          spec: SPEC,
          spec_sha256: '0'.repeat(64),
          spec_schema_version: '2.1.0',
          sdk_version: null,
          package_url: null,
          code_source_url: null,
          created_at: START,
        })
        .execute();
      const id = await createRecurringRun(
        db,
        storeDialect,
        tenPastMinutes({ pipelineSpec: undefined, pipelineVersionId: versionId }),
      );
      await fire(1);
      const run = await db
        .selectFrom('runs')
        .selectAll()
        .where('recurring_run_id', '=', id)
        .executeTakeFirstOrThrow();
      assert.equal(run.state, 'RUNNING');
      assert.equal(run.pipeline_version_id, versionId);
      assert.equal(run.pipeline_id, pipelineId);
    });

    test('the database refuses a second run for the same slot, and racing schedulers fire each slot once', async () => {
      const id = await createRecurringRun(db, storeDialect, tenPastMinutes());
      const prepared = prepareRun({ displayName: 'twice', pipelineSpec: SPEC, parameters: { epochs: 1 } });
      const schedule = { recurringRunId: id, slot: START + MINUTE };
      await inWriteTransaction(db, storeDialect, async (trx) =>
        insertRun(trx, storeDialect, prepared, await databaseNow(trx, storeDialect), schedule),
      );
      await assert.rejects(
        inWriteTransaction(db, storeDialect, async (trx) =>
          insertRun(trx, storeDialect, prepared, await databaseNow(trx, storeDialect), schedule),
        ),
        /unique|duplicate/i,
      );
      await db.deleteFrom('runs').where('recurring_run_id', '=', id).execute();

      // Four schedulers at once, each on its own connection where the database has row locks.
      const others: DatabaseHandle[] = [];
      if (storeDialect.capabilities.skipLocked) {
        for (let index = 0; index < 3; index += 1) others.push(await connectDatabase(database.location));
      }
      try {
        const schedulers = [db, ...others.map((other) => other.db as Kysely<CairnDatabase>)];
        const reports: FireReport[] = await Promise.all(
          [0, 1, 2, 3].map((index) =>
            fireDueRecurringRuns(
              schedulers[index % schedulers.length] as Kysely<CairnDatabase>,
              storeDialect,
              {
                catchupCap: 10,
              },
            ),
          ),
        );
        const fired = reports.flatMap((report) => report.fired.filter((slot) => slot.recurringRunId === id));
        assert.equal(fired.length, 10);
        assert.deepEqual(await slotsOf(id), minutes(1, 2, 3, 4, 5, 6, 7, 8, 9, 10));
      } finally {
        for (const other of others) await other.close();
      }
    });

    test('deleting a recurring run keeps the runs it fired', async () => {
      const id = await createRecurringRun(db, storeDialect, tenPastMinutes());
      const report = await fire(2);
      const runIds = report.fired.filter((slot) => slot.recurringRunId === id).map((slot) => slot.runId);
      await deleteRecurringRun(db, storeDialect, id);
      const runs = await db
        .selectFrom('runs')
        .select(['id', 'recurring_run_id'])
        .where('id', 'in', runIds)
        .execute();
      assert.equal(runs.length, 2);
      assert.ok(runs.every((run) => run.recurring_run_id === null));
      await assert.rejects(deleteRecurringRun(db, storeDialect, id), { code: 'RECURRING_RUN_NOT_FOUND' });
    });

    test('the ticker fires a live schedule on time', async () => {
      const now = await databaseNow(db, storeDialect);
      const id = await createRecurringRun(
        db,
        storeDialect,
        tenPastMinutes({
          trigger: { kind: 'INTERVAL', intervalSeconds: 1, startTime: Math.floor(now / 1000) * 1000 },
        }),
      );
      const reports: FireReport[] = [];
      const ticker = new RecurringRunTicker(db, storeDialect, {
        pollMs: 50,
        catchupCap: 10,
        onReport: (report) => reports.push(report),
        onError: (error) => assert.fail(error as Error),
      });
      ticker.start();
      try {
        const deadline = Date.now() + 10_000;
        while ((await slotsOf(id)).length < 2) {
          assert.ok(Date.now() < deadline, 'two slots should fire within 10 s');
          await sleep(50);
        }
      } finally {
        await ticker.stop();
      }
      const [first, second] = await slotsOf(id);
      assert.equal((second ?? 0) - (first ?? 0), 1000, 'one run per second, on the grid');
      assert.ok(reports.some((report) => report.fired.some((slot) => slot.recurringRunId === id)));
      await setRecurringRunEnabled(db, storeDialect, id, false);
    });
  });
}
