import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseMaxConcurrency } from '../../../src/engine/schedules/max-concurrency.ts';
import { parseTrigger } from '../../../src/engine/schedules/parse-trigger.ts';
import { parseRfc3339 } from '../../../src/engine/schedules/rfc3339.ts';
import { MAX_TIME, MIN_TIME } from '../../../src/engine/schedules/trigger.ts';
import { CairnError } from '../../../src/errors.ts';

function assertInvalid(run: () => unknown, message: string): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof CairnError, `expected a CairnError, got ${String(error)}`);
    assert.equal(error.code, 'SCHEDULE_INVALID');
    assert.equal(error.message, message);
    return true;
  });
}

describe('parseTrigger', () => {
  test('a cron schedule in KFP’s REST form', () => {
    assert.deepEqual(
      parseTrigger({
        cron_schedule: {
          cron: '0 0 * * * ?',
          start_time: '2024-01-01T00:00:00Z',
          end_time: '2025-01-01T00:00:00Z',
        },
      }),
      {
        trigger: {
          kind: 'CRON',
          cron: '0 0 * * * ?',
          startTime: Date.UTC(2024, 0, 1),
          endTime: Date.UTC(2025, 0, 1),
        },
        warnings: [],
      },
    );
  });

  test('a periodic schedule, its int64 interval as a string or a number', () => {
    for (const interval_second of ['3600', 3600]) {
      assert.deepEqual(parseTrigger({ periodic_schedule: { interval_second } }), {
        trigger: { kind: 'INTERVAL', intervalSeconds: 3600 },
        warnings: [],
      });
    }
  });

  test('protobuf JSON’s lowerCamelCase names and nulls for absent fields', () => {
    assert.deepEqual(
      parseTrigger({
        cronSchedule: { cron: '@daily', startTime: '2024-01-01T01:00:00+01:00', endTime: null },
        periodic_schedule: null,
      }).trigger,
      { kind: 'CRON', cron: '@daily', startTime: Date.UTC(2024, 0, 1) },
    );
    assert.deepEqual(parseTrigger({ periodicSchedule: { intervalSecond: '60' } }).trigger, {
      kind: 'INTERVAL',
      intervalSeconds: 60,
    });
  });

  test('times keep whole seconds, as KFP does', () => {
    const { trigger } = parseTrigger({
      periodic_schedule: { interval_second: 1, start_time: '2024-01-01T00:00:00.999999999Z' },
    });
    assert.equal(trigger.startTime, Date.UTC(2024, 0, 1));
  });

  test('a 5-field cron is accepted as KFP reads it, with a warning', () => {
    const { trigger, warnings } = parseTrigger({ cron_schedule: { cron: '*/5 * * * *' } });
    assert.deepEqual(trigger, { kind: 'CRON', cron: '*/5 * * * *' });
    assert.deepEqual(warnings, [
      'trigger.cron_schedule.cron "*/5 * * * *" has 5 fields, which KFP reads as seconds, minutes, hours, day of ' +
        'month and month, not as a standard crontab line starting with minutes; if minutes come first, add a ' +
        'seconds field: "0 */5 * * * *"',
    ]);
  });

  const invalid: Array<[name: string, input: unknown, message: string]> = [
    [
      'not an object',
      'daily',
      'trigger is "daily"; expected an object with cron_schedule, periodic_schedule',
    ],
    ['a list', [], 'trigger is a list; expected an object with cron_schedule, periodic_schedule'],
    [
      'neither schedule',
      {},
      'trigger sets neither cron_schedule nor periodic_schedule (KFP runs such a recurring run once, which Cairn does not support)',
    ],
    [
      'both schedules',
      { cron_schedule: { cron: '@daily' }, periodic_schedule: { interval_second: 60 } },
      'trigger sets both cron_schedule and periodic_schedule; a trigger is one or the other',
    ],
    [
      'an unknown field',
      { cron: '@daily' },
      'trigger has the unknown field "cron"; expected cron_schedule, periodic_schedule',
    ],
    [
      'a misspelt field',
      { periodic_schedule: { interval_seconds: 60 } },
      'trigger.periodic_schedule has the unknown field "interval_seconds"; expected interval_second, start_time, end_time',
    ],
    [
      'a field twice',
      {
        cron_schedule: {
          cron: '@daily',
          start_time: '2024-01-01T00:00:00Z',
          startTime: '2024-01-01T00:00:00Z',
        },
      },
      'trigger.cron_schedule sets start_time twice (as start_time and startTime)',
    ],
    [
      'no cron',
      { cron_schedule: {} },
      'trigger.cron_schedule.cron is missing; expected a cron expression such as "0 0 * * * *"',
    ],
    ['an empty cron', { cron_schedule: { cron: '' } }, 'trigger.cron_schedule.cron "" is empty'],
    [
      'a cron of the wrong type',
      { cron_schedule: { cron: 5 } },
      'trigger.cron_schedule.cron is 5; expected a cron expression such as "0 0 * * * *"',
    ],
    [
      'a day of week KFP does not know',
      { cron_schedule: { cron: '0 0 9 * * 7' } },
      'trigger.cron_schedule.cron "0 0 9 * * 7" has an invalid day-of-week field "7": 7 is above the maximum 6',
    ],
    [
      'a cron that never fires',
      { cron_schedule: { cron: '0 0 0 31 2 *' } },
      'trigger.cron_schedule.cron "0 0 0 31 2 *" never fires: no date matches all its fields (such as 30 February)',
    ],
    [
      'no interval',
      { periodic_schedule: {} },
      'trigger.periodic_schedule.interval_second is missing; expected a whole number of seconds, at least 1',
    ],
    [
      'a zero interval',
      { periodic_schedule: { interval_second: '0' } },
      'trigger.periodic_schedule.interval_second is "0"; expected a whole number of seconds, at least 1',
    ],
    [
      'a negative interval',
      { periodic_schedule: { interval_second: -60 } },
      'trigger.periodic_schedule.interval_second is -60; expected a whole number of seconds, at least 1',
    ],
    [
      'a fractional interval',
      { periodic_schedule: { interval_second: 1.5 } },
      'trigger.periodic_schedule.interval_second is 1.5; expected a whole number of seconds, at least 1',
    ],
    [
      'an interval in words',
      { periodic_schedule: { interval_second: '1h' } },
      'trigger.periodic_schedule.interval_second is "1h"; expected a whole number of seconds, at least 1',
    ],
    [
      'a time that is not RFC 3339',
      { periodic_schedule: { interval_second: 60, start_time: '2024-01-01 00:00:00' } },
      'trigger.periodic_schedule.start_time is "2024-01-01 00:00:00"; expected an RFC 3339 time from year 1 to 9999, such as "2024-05-01T12:00:00Z"',
    ],
    [
      'a time as a number',
      { cron_schedule: { cron: '@daily', end_time: 1704067200 } },
      'trigger.cron_schedule.end_time is 1704067200; expected an RFC 3339 time from year 1 to 9999, such as "2024-05-01T12:00:00Z"',
    ],
    [
      'an end before the start',
      {
        cron_schedule: {
          cron: '@daily',
          start_time: '2024-02-01T00:00:00Z',
          end_time: '2024-01-01T00:00:00Z',
        },
      },
      'trigger.cron_schedule.end_time (2024-01-01T00:00:00Z) is not after trigger.cron_schedule.start_time (2024-02-01T00:00:00Z); the schedule could never fire',
    ],
    [
      'an end equal to the start',
      {
        periodic_schedule: {
          interval_second: 60,
          start_time: '2024-01-01T00:00:00Z',
          end_time: '2024-01-01T00:00:00.5Z',
        },
      },
      'trigger.periodic_schedule.end_time (2024-01-01T00:00:00Z) is not after trigger.periodic_schedule.start_time (2024-01-01T00:00:00Z); the schedule could never fire',
    ],
  ];
  for (const [name, input, message] of invalid) {
    test(`refuses ${name}`, () => assertInvalid(() => parseTrigger(input), message));
  }
});

describe('parseRfc3339', () => {
  const cases: Array<[string, number | undefined]> = [
    ['2024-05-01T12:00:00Z', Date.UTC(2024, 4, 1, 12)],
    ['2024-05-01t12:00:00z', Date.UTC(2024, 4, 1, 12)],
    ['2024-05-01T12:00:00.123456Z', Date.UTC(2024, 4, 1, 12, 0, 0, 123)],
    ['2024-05-01T12:00:00.5Z', Date.UTC(2024, 4, 1, 12, 0, 0, 500)],
    ['2024-05-01T14:30:00+02:30', Date.UTC(2024, 4, 1, 12)],
    ['2024-05-01T07:00:00-05:00', Date.UTC(2024, 4, 1, 12)],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
    ['0001-01-01T00:00:00Z', MIN_TIME],
    ['9999-12-31T23:59:59Z', MAX_TIME],
    ['2023-02-29T00:00:00Z', undefined],
    ['2024-04-31T00:00:00Z', undefined],
    ['2024-13-01T00:00:00Z', undefined],
    ['2024-01-01T24:00:00Z', undefined],
    ['2024-01-01T23:59:60Z', undefined],
    ['2024-01-01T00:00:00', undefined],
    ['2024-01-01T00:00:00+24:00', undefined],
    ['2024-01-01T00:00:00.1234567891Z', undefined],
    ['2024-1-01T00:00:00Z', undefined],
    ['0000-12-31T23:59:59Z', undefined],
    ['0001-01-01T00:30:00+01:00', undefined],
    ['', undefined],
  ];
  for (const [text, expected] of cases) {
    test(JSON.stringify(text), () => assert.equal(parseRfc3339(text), expected));
  }
  test('the range constants are what they say', () => {
    assert.equal(new Date(MIN_TIME).toISOString(), '0001-01-01T00:00:00.000Z');
    assert.equal(new Date(MAX_TIME).toISOString(), '9999-12-31T23:59:59.000Z');
  });
});

describe('parseMaxConcurrency', () => {
  test('1 to 10, as a number or an int64 string; 1 when absent', () => {
    assert.equal(parseMaxConcurrency(undefined), 1);
    assert.equal(parseMaxConcurrency(null), 1);
    assert.equal(parseMaxConcurrency(1), 1);
    assert.equal(parseMaxConcurrency('10'), 10);
  });
  for (const value of [0, 11, -1, 2.5, '3x', true]) {
    test(`refuses ${JSON.stringify(value)}`, () =>
      assertInvalid(
        () => parseMaxConcurrency(value),
        `max_concurrency is ${JSON.stringify(value)}; expected a whole number from 1 to 10`,
      ));
  }
});
