import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type DueSlotsOptions, dueSlots } from '../../../src/engine/schedules/due-slots.ts';
import { nextSlot } from '../../../src/engine/schedules/next-slot.ts';
import type { Trigger } from '../../../src/engine/schedules/trigger.ts';
import { CairnError } from '../../../src/errors.ts';

// KFP's ScheduledWorkflow controller tests (backend/src/crd/controller/scheduledworkflow/util:
// cron_schedule_test.go, periodic_schedule_test.go), which count in seconds from the epoch.
const second = 1000;
const minute = 60 * second;
const hour = 60 * minute;

/** KFP's GetNextScheduledTime(lastJob, creation): the next slot, seen when nothing is due yet. */
function kfpNext(trigger: Trigger, lastJob: number | undefined, createdAt: number): number | undefined {
  const result = dueSlots(trigger, { lastSlot: lastJob, createdAt, now: 0, noCatchup: false, catchupCap: 1 });
  assert.deepEqual(result.due, []);
  return result.next;
}

/** KFP's GetNextScheduledTimeNoCatchup(lastJob, creation, now): the slot due now, else the next one. */
function kfpNoCatchup(trigger: Trigger, lastJob: number | undefined, createdAt: number, now: number) {
  const options: DueSlotsOptions = { lastSlot: lastJob, createdAt, now, noCatchup: true, catchupCap: 100 };
  const result = dueSlots(trigger, options);
  assert.ok(result.due.length <= 1);
  return result.due[0] ?? result.next;
}

describe('cron schedules, as KFP’s cron_schedule_test.go', () => {
  const everyMinute = '0 * * * * * ';

  test('start and end dates', () => {
    const trigger: Trigger = { kind: 'CRON', cron: everyMinute, startTime: 10 * hour, endTime: 11 * hour };
    // First job: the start time takes over an earlier last job.
    assert.equal(nextSlot(trigger, 0), 10 * hour + minute);
    // Not the first job.
    assert.equal(nextSlot(trigger, 10 * hour + 5 * minute), 10 * hour + 6 * minute);
    // Past the end.
    assert.equal(nextSlot(trigger, 13 * hour), undefined);
    // The end time itself is a slot.
    assert.equal(nextSlot(trigger, 11 * hour - minute), 11 * hour);
  });

  test('cron only', () => {
    assert.equal(nextSlot({ kind: 'CRON', cron: everyMinute }, 10 * hour), 10 * hour + minute);
  });

  test('an empty or invalid cron is refused (KFP’s controller would never fire it)', () => {
    for (const cron of ['', '*$&%*(W&']) {
      const trigger: Trigger = { kind: 'CRON', cron, startTime: 10 * hour, endTime: 11 * hour };
      assert.throws(
        () => nextSlot(trigger, 0),
        (error: unknown) => error instanceof CairnError && error.code === 'SCHEDULE_INVALID',
      );
    }
  });

  test('the last job, else the start time, else the creation time', () => {
    const created = 10 * hour + 15 * minute;
    const trigger: Trigger = {
      kind: 'CRON',
      cron: everyMinute,
      startTime: 10 * hour + 10 * minute,
      endTime: 11 * hour,
    };
    assert.equal(kfpNext(trigger, 10 * hour + 20 * minute, created), 10 * hour + 21 * minute);
    assert.equal(kfpNext(trigger, undefined, created), 10 * hour + 11 * minute);
    const withoutStart: Trigger = { kind: 'CRON', cron: everyMinute, endTime: 11 * hour };
    assert.equal(kfpNext(withoutStart, undefined, created), 10 * hour + 16 * minute);
  });

  test('no catch-up', () => {
    const created = 10 * hour + 15 * minute;
    const lastJob = 10 * hour + 20 * minute;
    const trigger: Trigger = {
      kind: 'CRON',
      cron: everyMinute,
      startTime: 10 * hour + 10 * minute,
      endTime: 11 * hour,
    };
    // Not yet time for the next job.
    assert.equal(kfpNoCatchup(trigger, lastJob, created, lastJob + 30 * second), 10 * hour + 21 * minute);
    // Exactly time for the next job.
    assert.equal(kfpNoCatchup(trigger, lastJob, created, lastJob + minute), lastJob + minute);
    // Shortly after the next job's time.
    assert.equal(
      kfpNoCatchup(trigger, lastJob, created, 10 * hour + 21 * minute + 30 * second),
      10 * hour + 21 * minute,
    );
    // Behind schedule: the latest slot only.
    assert.equal(kfpNoCatchup(trigger, lastJob, created, 10 * hour + 30 * minute), 10 * hour + 30 * minute);
    // Way behind, past the end time: the last slot before it.
    assert.equal(kfpNoCatchup(trigger, lastJob, created, 12 * hour), 11 * hour);
    // No previous job: the start time, else the creation time.
    assert.equal(kfpNoCatchup(trigger, undefined, created, 0), 10 * hour + 11 * minute);
    const withoutStart: Trigger = { kind: 'CRON', cron: everyMinute, endTime: 11 * hour };
    assert.equal(kfpNoCatchup(withoutStart, undefined, created, 0), 10 * hour + 16 * minute);
  });
});

describe('periodic schedules, as KFP’s periodic_schedule_test.go', () => {
  test('start and end dates', () => {
    const trigger: Trigger = {
      kind: 'INTERVAL',
      intervalSeconds: 60,
      startTime: 10 * hour,
      endTime: 11 * hour,
    };
    // A last job before the start time: the first run is at the start time itself.
    assert.equal(nextSlot(trigger, 0), 10 * hour);
    assert.equal(nextSlot(trigger, 10 * hour + 5 * minute), 10 * hour + 6 * minute);
    assert.equal(nextSlot(trigger, 13 * hour), undefined);
  });

  test('period only', () => {
    assert.equal(nextSlot({ kind: 'INTERVAL', intervalSeconds: 60 }, 10 * hour), 10 * hour + minute);
  });

  test('an interval of 0 is refused (KFP’s API refuses it; its controller would use 1 second)', () => {
    const trigger: Trigger = {
      kind: 'INTERVAL',
      intervalSeconds: 0,
      startTime: 10 * hour,
      endTime: 11 * hour,
    };
    assert.throws(() => nextSlot(trigger, 10 * hour), /trigger.periodic_schedule.interval_second is 0/);
  });

  test('the last job, else the start time, else the creation time', () => {
    const created = 10 * hour + 15 * minute;
    const trigger: Trigger = {
      kind: 'INTERVAL',
      intervalSeconds: 60,
      startTime: 10 * hour + 10 * minute,
      endTime: 11 * hour,
    };
    assert.equal(kfpNext(trigger, 10 * hour + 20 * minute, created), 10 * hour + 21 * minute);
    // Without a last job the start time is the last job: the first run is one interval after it.
    assert.equal(kfpNext(trigger, undefined, created), 10 * hour + 11 * minute);
    const withoutStart: Trigger = { kind: 'INTERVAL', intervalSeconds: 60, endTime: 11 * hour };
    assert.equal(kfpNext(withoutStart, undefined, created), 10 * hour + 16 * minute);
  });

  test('no catch-up', () => {
    const created = 10 * hour + 15 * minute;
    const lastJob = 10 * hour + 20 * minute;
    const trigger: Trigger = {
      kind: 'INTERVAL',
      intervalSeconds: 60,
      startTime: 10 * hour + 10 * minute,
      endTime: 11 * hour,
    };
    assert.equal(kfpNoCatchup(trigger, lastJob, created, lastJob + 30 * second), 10 * hour + 21 * minute);
    assert.equal(kfpNoCatchup(trigger, lastJob, created, lastJob + minute), 10 * hour + 21 * minute);
    assert.equal(
      kfpNoCatchup(trigger, lastJob, created, 10 * hour + 21 * minute + 30 * second),
      10 * hour + 21 * minute,
    );
    assert.equal(kfpNoCatchup(trigger, lastJob, created, 10 * hour + 30 * minute), 10 * hour + 30 * minute);
    assert.equal(kfpNoCatchup(trigger, lastJob, created, 12 * hour), 11 * hour);
    assert.equal(kfpNoCatchup(trigger, undefined, created, 0), 10 * hour + 11 * minute);
    const withoutStart: Trigger = { kind: 'INTERVAL', intervalSeconds: 60, endTime: 11 * hour };
    assert.equal(kfpNoCatchup(withoutStart, undefined, created, 0), 10 * hour + 16 * minute);
  });

  test('no catch-up stays on the grid where KFP fires at the current time', () => {
    // KFP would fire at 10:30:30 and move its grid there; Cairn fires the 10:30 slot, which every
    // scheduler computes alike whenever it looks.
    const trigger: Trigger = { kind: 'INTERVAL', intervalSeconds: 60 };
    const result = dueSlots(trigger, {
      lastSlot: 10 * hour + 20 * minute,
      createdAt: 0,
      now: 10 * hour + 30 * minute + 30 * second,
      noCatchup: true,
      catchupCap: 10,
    });
    assert.deepEqual(result.due, [10 * hour + 30 * minute]);
    assert.equal(result.next, 10 * hour + 31 * minute);
  });

  test('a start time in the past, as TestStarttime', () => {
    const start = Date.parse('2012-11-01T22:00:00Z');
    const trigger: Trigger = { kind: 'INTERVAL', intervalSeconds: 24 * 60 * 60, startTime: start };
    assert.equal(nextSlot(trigger, 0), start);
  });
});
