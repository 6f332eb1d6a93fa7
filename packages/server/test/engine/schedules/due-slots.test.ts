import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Cron } from 'croner';
import fc from 'fast-check';
import { countCronSlots } from '../../../src/engine/schedules/cron-slot-count.ts';
import { type DueSlotsOptions, dueSlots } from '../../../src/engine/schedules/due-slots.ts';
import { nextSlot } from '../../../src/engine/schedules/next-slot.ts';
import type { CronFields } from '../../../src/engine/schedules/robfig-cron.ts';
import type { Trigger } from '../../../src/engine/schedules/trigger.ts';

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;
const at = (text: string) => Date.parse(text);

const hourly: Trigger = { kind: 'CRON', cron: '0 0 * * * *' };
const options = (overrides: Partial<DueSlotsOptions>): DueSlotsOptions => ({
  lastSlot: undefined,
  createdAt: at('2024-01-01T00:00:00Z'),
  now: at('2024-01-01T00:00:00Z'),
  noCatchup: false,
  catchupCap: 10,
  ...overrides,
});

/** All slots in (after, until], walking nextSlot: the reference the bulk computations must agree with. */
function walk(trigger: Trigger, after: number, until: number): number[] {
  const slots: number[] = [];
  for (
    let slot = nextSlot(trigger, after);
    slot !== undefined && slot <= until;
    slot = nextSlot(trigger, slot)
  ) {
    slots.push(slot);
  }
  return slots;
}

describe('dueSlots', () => {
  test('on time: the one slot that has come, then the next', () => {
    const result = dueSlots(
      hourly,
      options({ lastSlot: at('2024-01-01T09:00:00Z'), now: at('2024-01-01T10:00:00.250Z') }),
    );
    assert.deepEqual(result, {
      due: [at('2024-01-01T10:00:00Z')],
      skipped: undefined,
      next: at('2024-01-01T11:00:00Z'),
    });
  });

  test('nothing due before the next slot', () => {
    const result = dueSlots(
      hourly,
      options({ lastSlot: at('2024-01-01T10:00:00Z'), now: at('2024-01-01T10:59:59.999Z') }),
    );
    assert.deepEqual(result, { due: [], skipped: undefined, next: at('2024-01-01T11:00:00Z') });
  });

  test('a slot exactly at now is due', () => {
    const result = dueSlots(
      hourly,
      options({ lastSlot: at('2024-01-01T10:00:00Z'), now: at('2024-01-01T11:00:00Z') }),
    );
    assert.deepEqual(result.due, [at('2024-01-01T11:00:00Z')]);
  });

  test('catch-up after downtime fires every missed slot in order, within the cap', () => {
    const lastSlot = at('2024-01-01T00:00:00Z');
    const now = at('2024-01-01T05:30:00Z');
    const result = dueSlots(hourly, options({ lastSlot, now, catchupCap: 10 }));
    assert.deepEqual(result.due, walk(hourly, lastSlot, now));
    assert.equal(result.due.length, 5);
    assert.equal(result.skipped, undefined);
    assert.equal(result.next, at('2024-01-01T06:00:00Z'));
  });

  test('catch-up beyond the cap fires the most recent slots and reports the rest as skipped', () => {
    const lastSlot = at('2024-01-01T00:00:00Z');
    const now = at('2024-01-03T00:30:00Z');
    const result = dueSlots(hourly, options({ lastSlot, now, catchupCap: 3 }));
    assert.deepEqual(result.due, [
      at('2024-01-02T22:00:00Z'),
      at('2024-01-02T23:00:00Z'),
      at('2024-01-03T00:00:00Z'),
    ]);
    assert.deepEqual(result.skipped, {
      count: 45,
      first: at('2024-01-01T01:00:00Z'),
      last: at('2024-01-02T21:00:00Z'),
      reason: 'catchup_cap',
    });
    assert.equal(result.next, at('2024-01-03T01:00:00Z'));
  });

  test('no_catchup fires only the most recent missed slot, whatever the cap', () => {
    const lastSlot = at('2024-01-01T00:00:00Z');
    const now = at('2024-01-03T00:30:00Z');
    const result = dueSlots(hourly, options({ lastSlot, now, noCatchup: true, catchupCap: 1000 }));
    assert.deepEqual(result.due, [at('2024-01-03T00:00:00Z')]);
    assert.deepEqual(result.skipped, {
      count: 47,
      first: at('2024-01-01T01:00:00Z'),
      last: at('2024-01-02T23:00:00Z'),
      reason: 'no_catchup',
    });
  });

  test('no_catchup with a single missed slot skips nothing', () => {
    const result = dueSlots(
      hourly,
      options({ lastSlot: at('2024-01-01T00:00:00Z'), now: at('2024-01-01T01:10:00Z'), noCatchup: true }),
    );
    assert.deepEqual(result, {
      due: [at('2024-01-01T01:00:00Z')],
      skipped: undefined,
      next: at('2024-01-01T02:00:00Z'),
    });
  });

  test('periodic catch-up counts on its grid', () => {
    const trigger: Trigger = { kind: 'INTERVAL', intervalSeconds: 7 * 60 };
    const lastSlot = at('2024-01-01T00:00:00Z');
    const now = at('2024-01-01T02:00:00Z');
    const all = walk(trigger, lastSlot, now);
    const result = dueSlots(trigger, options({ lastSlot, now, catchupCap: 4 }));
    assert.deepEqual(result.due, all.slice(-4));
    assert.deepEqual(result.skipped, {
      count: all.length - 4,
      first: all[0],
      last: all.at(-5),
      reason: 'catchup_cap',
    });
    assert.equal(result.next, (all.at(-1) ?? 0) + 7 * minute);
  });

  test('the end time cuts the slots off: those before it fire, then the schedule is over', () => {
    const trigger: Trigger = { ...hourly, endTime: at('2024-01-01T03:00:00Z') };
    const result = dueSlots(
      trigger,
      options({ lastSlot: at('2024-01-01T00:00:00Z'), now: at('2024-01-02T00:00:00Z') }),
    );
    assert.deepEqual(result.due, [
      at('2024-01-01T01:00:00Z'),
      at('2024-01-01T02:00:00Z'),
      at('2024-01-01T03:00:00Z'),
    ]);
    assert.equal(result.next, undefined);
    const after = dueSlots(
      trigger,
      options({ lastSlot: at('2024-01-01T03:00:00Z'), now: at('2024-01-03T00:00:00Z') }),
    );
    assert.deepEqual(after, { due: [], skipped: undefined, next: undefined });
  });

  test('a start time in the future: nothing due, the first slot after it next', () => {
    const trigger: Trigger = { ...hourly, startTime: at('2024-06-01T00:00:00Z') };
    const result = dueSlots(trigger, options({ now: at('2024-01-01T12:00:00Z') }));
    assert.deepEqual(result, { due: [], skipped: undefined, next: at('2024-06-01T01:00:00Z') });
  });

  test('a start time in the past counts from the start time, as KFP does', () => {
    const trigger: Trigger = { ...hourly, startTime: at('2024-01-01T00:00:00Z') };
    const result = dueSlots(
      trigger,
      options({ createdAt: at('2024-01-01T05:00:00Z'), now: at('2024-01-01T05:00:00Z') }),
    );
    assert.equal(result.due.length, 5);
    assert.equal(result.due[0], at('2024-01-01T01:00:00Z'));
  });

  test('without a start time, the creation time: the first slot is after it', () => {
    const createdAt = at('2024-01-01T10:20:30.400Z');
    const result = dueSlots(hourly, options({ createdAt, now: createdAt }));
    assert.deepEqual(result, { due: [], skipped: undefined, next: at('2024-01-01T11:00:00Z') });
  });

  test('a long downtime is bounded work: a cron every second, ten years behind', () => {
    const trigger: Trigger = { kind: 'CRON', cron: '* * * * * *' };
    const lastSlot = at('2014-01-01T00:00:00Z');
    const now = at('2024-01-01T00:00:00.500Z');
    const started = performance.now();
    const result = dueSlots(trigger, options({ lastSlot, now, catchupCap: 50 }));
    assert.ok(performance.now() - started < 2000);
    assert.equal(result.due.length, 50);
    assert.equal(result.due.at(-1), at('2024-01-01T00:00:00Z'));
    assert.equal(result.skipped?.count, (at('2024-01-01T00:00:00Z') - lastSlot) / 1000 - 50);
    assert.equal(result.skipped?.first, lastSlot + 1000);
    assert.equal(result.skipped?.last, at('2023-12-31T23:59:10Z'));
  });

  test('a long downtime of a periodic schedule is arithmetic', () => {
    const trigger: Trigger = { kind: 'INTERVAL', intervalSeconds: 1 };
    const result = dueSlots(
      trigger,
      options({ lastSlot: 0, now: at('9999-01-01T00:00:00Z'), catchupCap: 2 }),
    );
    assert.deepEqual(result.due, [at('9999-01-01T00:00:00Z') - 1000, at('9999-01-01T00:00:00Z')]);
    assert.equal(result.skipped?.count, at('9999-01-01T00:00:00Z') / 1000 - 2);
  });

  test('deterministic: the same arguments give the same slots, whatever the time zone of the process', () => {
    const args = options({
      lastSlot: at('2024-03-09T00:00:00Z'),
      now: at('2024-03-12T00:00:00Z'),
      catchupCap: 100,
    });
    const before = dueSlots(hourly, args);
    const zone = process.env.TZ;
    try {
      process.env.TZ = 'America/New_York';
      assert.notEqual(new Date(at('2024-03-10T12:00:00Z')).getHours(), 12, 'the time zone took effect');
      assert.deepEqual(dueSlots(hourly, args), before);
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });

  test('UTC has no daylight saving time: the hours around a DST change are all there, once each', () => {
    const zone = process.env.TZ;
    try {
      process.env.TZ = 'Europe/Berlin';
      // Berlin moves its clocks at 01:00 UTC on 2024-03-31 and 2024-10-27.
      for (const date of ['2024-03-31', '2024-10-27']) {
        const slots = walk(hourly, at(`${date}T00:00:00Z`) - 1, at(`${date}T23:00:00Z`));
        assert.deepEqual(
          slots,
          Array.from({ length: 24 }, (_, index) => at(`${date}T00:00:00Z`) + index * hour),
        );
      }
      // A 02:30 daily job fires on the day New York skips 02:30, since it is 02:30 UTC.
      process.env.TZ = 'America/New_York';
      const daily: Trigger = { kind: 'CRON', cron: '0 30 2 * * *' };
      assert.deepEqual(walk(daily, at('2024-03-09T12:00:00Z'), at('2024-03-11T12:00:00Z')), [
        at('2024-03-10T02:30:00Z'),
        at('2024-03-11T02:30:00Z'),
      ]);
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });

  test('due slots and skipped counts agree with walking the schedule slot by slot', () => {
    const cronArbitrary = fc
      .record({
        seconds: fc.constantFrom('0', '*/20', '5,35'),
        minutes: fc.constantFrom('0', '*/15', '10-12', '*/7'),
        hours: fc.constantFrom('*', '*/6', '9-17', '3'),
        dom: fc.constantFrom('*', '?', '1,15', '*/10', '29-31', '13'),
        month: fc.constantFrom('*', 'jan-mar', '2', '*/4'),
        dow: fc.constantFrom('*', '?', 'mon-fri', '0', '5', '*/3'),
      })
      .map((f) => `${f.seconds} ${f.minutes} ${f.hours} ${f.dom} ${f.month} ${f.dow}`);
    const windowArbitrary = fc.record({
      from: fc.integer({ min: at('2023-12-01T00:00:00Z'), max: at('2024-12-31T00:00:00Z') }),
      length: fc.integer({ min: 0, max: 40 * day }),
      cap: fc.integer({ min: 1, max: 6 }),
      noCatchup: fc.boolean(),
    });
    fc.assert(
      fc.property(cronArbitrary, windowArbitrary, (cron, window) => {
        const trigger: Trigger = { kind: 'CRON', cron };
        const now = window.from + window.length;
        const all = walk(trigger, window.from, now);
        const result = dueSlots(
          trigger,
          options({ lastSlot: window.from, now, catchupCap: window.cap, noCatchup: window.noCatchup }),
        );
        const take = window.noCatchup ? 1 : window.cap;
        assert.deepEqual(result.due, all.slice(-take));
        const skipped = all.slice(0, Math.max(0, all.length - take));
        assert.deepEqual(
          result.skipped,
          skipped.length === 0
            ? undefined
            : {
                count: skipped.length,
                first: skipped[0],
                last: skipped.at(-1),
                reason: window.noCatchup ? 'no_catchup' : 'catchup_cap',
              },
        );
        assert.equal(result.next, nextSlot(trigger, all.at(-1) ?? window.from));
      }),
      { numRuns: 60 },
    );
  });

  test('arguments are checked', () => {
    assert.throws(() => dueSlots(hourly, options({ catchupCap: 0 })), /catchupCap is 0/);
    assert.throws(() => dueSlots(hourly, options({ catchupCap: 1.5 })), /catchupCap is 1.5/);
    assert.throws(() => dueSlots(hourly, options({ now: Number.NaN })), /now is NaN/);
    assert.throws(
      () => dueSlots(hourly, options({ lastSlot: Number.POSITIVE_INFINITY })),
      /lastSlot is Infinity/,
    );
  });
});

describe('countCronSlots', () => {
  const fields = (seconds: number[], minutes: number[], hours: number[]): CronFields => ({
    seconds,
    minutes,
    hours,
    daysOfMonth: Array.from({ length: 31 }, (_, index) => index + 1),
    months: Array.from({ length: 12 }, (_, index) => index + 1),
    daysOfWeek: [0, 1, 2, 3, 4, 5, 6],
    daysMatchBoth: true,
  });

  test('counts within a day, across days and across a year exactly', () => {
    const twice = fields([0, 30], [0], [0, 12]);
    const start = at('2024-01-01T00:00:00Z');
    assert.equal(countCronSlots(twice, start - 1, start), 1);
    assert.equal(countCronSlots(twice, start, start + 30_000), 1);
    assert.equal(countCronSlots(twice, start, start + day), 4);
    assert.equal(countCronSlots(twice, start - 1, start + 366 * day - 1), 366 * 4);
    assert.equal(countCronSlots(twice, start, start), 0);
    assert.equal(countCronSlots(twice, start + day, start), 0);
  });

  test('agrees with croner on random windows', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 59 }), { minLength: 1, maxLength: 3 }),
        fc.uniqueArray(fc.integer({ min: 0, max: 59 }), { minLength: 1, maxLength: 3 }),
        fc.uniqueArray(fc.integer({ min: 0, max: 23 }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: at('1969-12-20T00:00:00Z'), max: at('2030-01-01T00:00:00Z') }),
        fc.integer({ min: 0, max: 5 * day }),
        (seconds, minutes, hours, lower, length) => {
          const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
          const f = fields(sorted(seconds), sorted(minutes), sorted(hours));
          const cron = new Cron(`${f.seconds.join(',')} ${f.minutes.join(',')} ${f.hours.join(',')} * * *`, {
            timezone: 'UTC',
          });
          let count = 0;
          for (let run = cron.nextRun(new Date(lower)); run !== null && run.getTime() <= lower + length; ) {
            count++;
            run = cron.nextRun(run);
          }
          assert.equal(countCronSlots(f, lower, lower + length), count);
        },
      ),
      { numRuns: 40 },
    );
  });
});
