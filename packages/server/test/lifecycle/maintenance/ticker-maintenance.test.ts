// The recurring-run ticker under maintenance fires nothing; once serving, the slots it missed are fired
// by the usual catch-up rules (at most the catch-up cap, the older ones skipped). On every dialect.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { compile, containerComponent, pipeline } from '@cairn/sdk';
import { createRecurringRun } from '../../../src/engine/recurring/create-recurring-run.ts';
import { RecurringRunTicker } from '../../../src/engine/recurring/recurring-run-ticker.ts';
import {
  ensureMaintenanceTable,
  setMaintenance,
} from '../../../src/lifecycle/maintenance/maintenance-state.ts';
import { MaintenanceWatch } from '../../../src/lifecycle/maintenance/maintenance-watch.ts';
import { createMigratedDatabase, type MigratedDatabase } from '../../support/migrated-database.ts';
import { dialectTargets } from '../../support/test-databases.ts';
import { waitFor } from './support/wait-for.ts';

const MINUTE = 60_000;
const START = Date.UTC(2026, 0, 1);
const SPEC = compile(
  pipeline({ name: 'nightly' }, () => {
    containerComponent({ name: 'echo', image: 'busybox', command: ['true'] })();
  }),
);

for (const { dialect, skip } of await dialectTargets()) {
  describe(`the recurring-run ticker under maintenance on ${dialect}`, { skip }, () => {
    let store: MigratedDatabase;
    before(async () => {
      store = await createMigratedDatabase(dialect);
      await ensureMaintenanceTable(store.db, store.dialect);
    });
    after(() => store.close());

    test('fires nothing while draining, then catches up within its cap', async () => {
      await setMaintenance(store.db, store.dialect, { mode: 'draining', planId: 'plan-1', reason: null });
      // Ten slots, every minute, all long past.
      const id = await createRecurringRun(store.db, store.dialect, {
        displayName: 'nightly',
        pipelineSpec: SPEC,
        trigger: { kind: 'INTERVAL', intervalSeconds: 60, startTime: START, endTime: START + 10 * MINUTE },
        maxConcurrency: 10,
      });
      const ticker = new RecurringRunTicker(store.db, store.dialect, {
        pollMs: 20,
        catchupCap: 2,
        onError: (error) => assert.fail(error as Error),
        maintenance: new MaintenanceWatch(store.db, store.dialect, { intervalMs: 20 }),
      });
      const slots = async () =>
        (
          await store.db
            .selectFrom('runs')
            .select('scheduled_at')
            .where('recurring_run_id', '=', id)
            .orderBy('scheduled_at')
            .execute()
        ).map((run) => run.scheduled_at);
      ticker.start();
      try {
        await sleep(300);
        assert.deepEqual(await slots(), [], 'nothing fires while draining');
        await setMaintenance(store.db, store.dialect, { mode: 'serving', planId: null, reason: null });
        const fired = await waitFor('the catch-up', async () => {
          const found = await slots();
          return found.length > 0 ? found : undefined;
        });
        await sleep(200);
        assert.deepEqual(await slots(), fired, 'one catch-up, no more');
        assert.deepEqual(fired, [START + 9 * MINUTE, START + 10 * MINUTE], 'the newest slots, up to the cap');
      } finally {
        await ticker.stop();
      }
    });
  });
}
