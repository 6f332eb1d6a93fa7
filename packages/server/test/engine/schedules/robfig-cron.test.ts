import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseGoDuration } from '../../../src/engine/schedules/go-duration.ts';
import { nextSlot } from '../../../src/engine/schedules/next-slot.ts';
import { parseRobfigCron } from '../../../src/engine/schedules/robfig-cron.ts';
import { CairnError } from '../../../src/errors.ts';

/** robfig/cron's test times ("Mon Jul 9 15:00 2012", seconds optional), read in UTC as Go's time.Parse does. */
function utc(text: string): number {
  const match = /^\w{3} (\w{3}) (\d+) (\d+):(\d+)(?::(\d+))? (\d{4})$/.exec(text);
  assert.ok(match, text);
  const [, month = '', day, hour, minute, second = '0', year] = match;
  const monthIndex = 'JanFebMarAprMayJunJulAugSepOctNovDec'.indexOf(month) / 3;
  return Date.UTC(Number(year), monthIndex, Number(day), Number(hour), Number(minute), Number(second));
}

const next = (cron: string, after: number) => nextSlot({ kind: 'CRON', cron }, after);

// robfig/cron v1.2.0 (the version KFP's go.mod pins), spec_test.go TestActivation: does the spec fire at the time?
const ACTIVATION: Array<[time: string, spec: string, fires: boolean]> = [
  // Every fifteen minutes.
  ['Mon Jul 9 15:00 2012', '0 0/15 * * *', true],
  ['Mon Jul 9 15:45 2012', '0 0/15 * * *', true],
  ['Mon Jul 9 15:40 2012', '0 0/15 * * *', false],
  // Every fifteen minutes, starting at 5 minutes.
  ['Mon Jul 9 15:05 2012', '0 5/15 * * *', true],
  ['Mon Jul 9 15:20 2012', '0 5/15 * * *', true],
  ['Mon Jul 9 15:50 2012', '0 5/15 * * *', true],
  // Named months.
  ['Sun Jul 15 15:00 2012', '0 0/15 * * Jul', true],
  ['Sun Jul 15 15:00 2012', '0 0/15 * * Jun', false],
  // Everything set.
  ['Sun Jul 15 08:30 2012', '0 30 08 ? Jul Sun', true],
  ['Sun Jul 15 08:30 2012', '0 30 08 15 Jul ?', true],
  ['Mon Jul 16 08:30 2012', '0 30 08 ? Jul Sun', false],
  ['Mon Jul 16 08:30 2012', '0 30 08 15 Jul ?', false],
  // Predefined schedules.
  ['Mon Jul 9 15:00 2012', '@hourly', true],
  ['Mon Jul 9 15:04 2012', '@hourly', false],
  ['Mon Jul 9 15:00 2012', '@daily', false],
  ['Mon Jul 9 00:00 2012', '@daily', true],
  ['Mon Jul 9 00:00 2012', '@weekly', false],
  ['Sun Jul 8 00:00 2012', '@weekly', true],
  ['Sun Jul 8 01:00 2012', '@weekly', false],
  ['Sun Jul 8 00:00 2012', '@monthly', false],
  ['Sun Jul 1 00:00 2012', '@monthly', true],
  // Day of month and day of week: if both are restricted, either may match...
  ['Sun Jul 15 00:00 2012', '0 * * 1,15 * Sun', true],
  ['Fri Jun 15 00:00 2012', '0 * * 1,15 * Sun', true],
  ['Wed Aug 1 00:00 2012', '0 * * 1,15 * Sun', true],
  // ...but if one starts with a star, both must.
  ['Sun Jul 15 00:00 2012', '0 * * * * Mon', false],
  ['Sun Jul 15 00:00 2012', '0 * * */10 * Sun', false],
  ['Mon Jul 9 00:00 2012', '0 * * 1,15 * *', false],
  ['Sun Jul 15 00:00 2012', '0 * * 1,15 * *', true],
  ['Sun Jul 15 00:00 2012', '0 * * */2 * Sun', true],
];

// spec_test.go TestNext (its DST cases are New York local time; KFP's scheduler runs in UTC).
const NEXT: Array<[after: string, spec: string, expected: string | undefined]> = [
  ['Mon Jul 9 14:45 2012', '0 0/15 * * *', 'Mon Jul 9 15:00 2012'],
  ['Mon Jul 9 14:59 2012', '0 0/15 * * *', 'Mon Jul 9 15:00 2012'],
  ['Mon Jul 9 14:59:59 2012', '0 0/15 * * *', 'Mon Jul 9 15:00 2012'],
  // Wrap around hours.
  ['Mon Jul 9 15:45 2012', '0 20-35/15 * * *', 'Mon Jul 9 16:20 2012'],
  // Wrap around days.
  ['Mon Jul 9 23:46 2012', '0 */15 * * *', 'Tue Jul 10 00:00 2012'],
  ['Mon Jul 9 23:45 2012', '0 20-35/15 * * *', 'Tue Jul 10 00:20 2012'],
  ['Mon Jul 9 23:35:51 2012', '15/35 20-35/15 * * *', 'Tue Jul 10 00:20:15 2012'],
  ['Mon Jul 9 23:35:51 2012', '15/35 20-35/15 1/2 * *', 'Tue Jul 10 01:20:15 2012'],
  ['Mon Jul 9 23:35:51 2012', '15/35 20-35/15 10-12 * *', 'Tue Jul 10 10:20:15 2012'],
  ['Mon Jul 9 23:35:51 2012', '15/35 20-35/15 1/2 */2 * *', 'Thu Jul 11 01:20:15 2012'],
  ['Mon Jul 9 23:35:51 2012', '15/35 20-35/15 * 9-20 * *', 'Wed Jul 10 00:20:15 2012'],
  ['Mon Jul 9 23:35:51 2012', '15/35 20-35/15 * 9-20 Jul *', 'Wed Jul 10 00:20:15 2012'],
  // Wrap around months.
  ['Mon Jul 9 23:35 2012', '0 0 0 9 Apr-Oct ?', 'Thu Aug 9 00:00 2012'],
  ['Mon Jul 9 23:35 2012', '0 0 0 */5 Apr,Aug,Oct Mon', 'Mon Aug 6 00:00 2012'],
  ['Mon Jul 9 23:35 2012', '0 0 0 */5 Oct Mon', 'Mon Oct 1 00:00 2012'],
  // Wrap around years.
  ['Mon Jul 9 23:35 2012', '0 0 0 * Feb Mon', 'Mon Feb 4 00:00 2013'],
  ['Mon Jul 9 23:35 2012', '0 0 0 * Feb Mon/2', 'Fri Feb 1 00:00 2013'],
  // Wrap around minute, hour, day, month, and year.
  ['Mon Dec 31 23:59:45 2012', '0 * * * * *', 'Tue Jan 1 00:00:00 2013'],
  // Leap year.
  ['Mon Jul 9 23:35 2012', '0 0 0 29 Feb ?', 'Mon Feb 29 00:00 2016'],
  // TestNextWithTz's cases, in UTC.
  ['Sun Jan 3 13:09:03 2016', '0 14 14 * * *', 'Sun Jan 3 14:14 2016'],
  ['Sun Jan 3 04:09:03 2016', '0 14 14 * * ?', 'Sun Jan 3 14:14 2016'],
];

describe('robfig/cron v1 semantics (its own tests)', () => {
  for (const [time, spec, fires] of ACTIVATION) {
    test(`"${spec}" ${fires ? 'fires' : 'does not fire'} at ${time}`, () => {
      assert.equal(next(spec, utc(time) - 1000) === utc(time), fires);
    });
  }

  for (const [after, spec, expected] of NEXT) {
    test(`"${spec}" after ${after}`, () => {
      assert.equal(next(spec, utc(after)), expected === undefined ? undefined : utc(expected));
    });
  }

  test('a slot is always a whole second strictly after the given time', () => {
    const at = Date.UTC(2024, 0, 1, 10, 0, 0);
    assert.equal(next('0 * * * * *', at), at + 60_000);
    assert.equal(next('0 * * * * *', at - 1), at);
    assert.equal(next('* * * * * *', at + 500), at + 1000);
  });

  test('5 fields are seconds to month, KFP’s reading, so "*/5 * * * *" fires every 5 seconds', () => {
    const at = Date.UTC(2024, 0, 1);
    assert.equal(next('*/5 * * * *', at), at + 5000);
    assert.equal(next('0 30 9 * *', at), Date.UTC(2024, 0, 1, 9, 30));
  });

  test('descriptors', () => {
    const at = Date.UTC(2024, 4, 15, 12, 34, 56); // a Wednesday
    assert.equal(next('@yearly', at), Date.UTC(2025, 0, 1));
    assert.equal(next('@annually', at), Date.UTC(2025, 0, 1));
    assert.equal(next('@monthly', at), Date.UTC(2024, 5, 1));
    assert.equal(next('@weekly', at), Date.UTC(2024, 4, 19));
    assert.equal(next('@daily', at), Date.UTC(2024, 4, 16));
    assert.equal(next('@midnight', at), Date.UTC(2024, 4, 16));
    assert.equal(next('@hourly', at), Date.UTC(2024, 4, 15, 13));
  });

  test('@every: whole seconds after the previous run, at least one', () => {
    const at = Date.UTC(2024, 0, 1) + 250;
    const floor = Date.UTC(2024, 0, 1);
    assert.equal(next('@every 5m', at), floor + 300_000);
    assert.equal(next('@every 1h30m', at), floor + 5_400_000);
    assert.equal(next('@every 1.5s', at), floor + 1000);
    assert.equal(next('@every 500ms', at), floor + 1000);
    assert.equal(next('@every -1h', at), floor + 1000);
    assert.deepEqual(parseRobfigCron('@every 5m'), { kind: 'every', delaySeconds: 300 });
  });

  test('names, question marks, lists with empty items, a star followed by "-"', () => {
    const fields = (spec: string) => {
      const parsed = parseRobfigCron(spec);
      assert.equal(parsed.kind, 'fields');
      return parsed.fields;
    };
    assert.deepEqual(fields('0 0 0 ? JAN-mar Mon-FRI').months, [1, 2, 3]);
    assert.deepEqual(fields('0 0 0 ? jan/4 sun').months, [1, 5, 9]);
    assert.deepEqual(fields('0 0 0 ? * mon-fri').daysOfWeek, [1, 2, 3, 4, 5]);
    assert.deepEqual(fields('1,,5 0 0 * * *').seconds, [1, 5]);
    assert.deepEqual(fields('*-5 0 0 * * *').seconds.length, 60);
    assert.deepEqual(fields('+05 0 0 * * *').seconds, [5]);
    assert.equal(fields('0 0 0 */2 * 1').daysMatchBoth, true);
    assert.equal(fields('0 0 0 1-31 * 1').daysMatchBoth, false);
  });
});

describe('cron expressions KFP refuses', () => {
  // parser_test.go TestRange, TestParse and spec_test.go TestErrors, with the field named.
  const cases: Array<[spec: string, message: string]> = [
    ['', 'is empty'],
    ['xyz', 'has 1 field; KFP expects 6 (seconds minutes hours day-of-month month day-of-week) or 5'],
    ['* * * *', 'has 4 fields'],
    ['0 0 0 * * * *', 'has 7 fields'],
    ['60 0 * * *', 'has an invalid seconds field "60": 60 is above the maximum 59'],
    ['0 60 * * *', 'has an invalid minutes field "60": 60 is above the maximum 59'],
    ['0 0 24 * * *', 'has an invalid hours field "24": 24 is above the maximum 23'],
    ['0 0 0 0 * *', 'has an invalid day-of-month field "0": 0 is below the minimum 1'],
    ['0 0 * * XYZ', 'has an invalid month field "XYZ": "XYZ" is neither a number nor a name (jan…dec)'],
    ['0 0 0 * * 7', 'has an invalid day-of-week field "7": 7 is above the maximum 6'],
    ['0 0 0 * * sunday', '"sunday" is neither a number nor a name (sun…sat)'],
    ['* 5 j * * *', 'has an invalid hours field "j": "j" is not a number'],
    ['5--5 * * * * *', '"5--5" has more than one "-"'],
    ['*//2 * * * * *', '"*//2" has more than one "/"'],
    ['*/-12 * * * * *', '"-12" is negative'],
    ['-5 * * * * *', '"" is not a number'],
    ['5-3 * * * * *', 'the range 5-3 ends before it starts'],
    ['*/0 * * * * *', 'a step must be a positive number'],
    ['0 0 0 L * *', '"L" is not a number'],
    ['0 0 0 * * 1#2', '"1#2" is neither a number nor a name'],
    [
      '@unrecognized',
      'is not a descriptor KFP knows (@yearly, @annually, @monthly, @weekly, @daily, @midnight',
    ],
    ['@Daily', 'is not a descriptor KFP knows'],
    ['@every Xm', 'has the duration "Xm", which is not a duration: expected a number'],
    ['@every 5', 'has the duration "5", which has a number without a unit'],
    ['@every 5d', 'has the unknown unit "d"'],
    ['@every 3000000h', 'is longer than Go can hold'],
    ['0 0 0 30 2 *', 'never fires: no date matches all its fields'],
    ['0 0 0 31 Apr ?', 'never fires'],
    ['0 0 0 31 2,4,6,9,11 *', 'never fires'],
    [', 0 0 * * *', 'never fires'],
  ];
  for (const [spec, message] of cases) {
    test(`"${spec}"`, () => {
      assert.throws(
        () => next(spec, 0),
        (error: unknown) => {
          assert.ok(error instanceof CairnError);
          assert.equal(error.code, 'SCHEDULE_INVALID');
          assert.ok(
            error.message.startsWith(`trigger.cron_schedule.cron ${JSON.stringify(spec)} `),
            error.message,
          );
          assert.ok(error.message.includes(message), `"${message}" in: ${error.message}`);
          return true;
        },
      );
    });
  }
});

describe('Go durations', () => {
  const seconds = 1_000_000_000n;
  const cases: Array<[string, bigint]> = [
    ['0', 0n],
    ['-0', 0n],
    ['5s', 5n * seconds],
    ['+5s', 5n * seconds],
    ['-5s', -5n * seconds],
    ['1h30m', 5400n * seconds],
    ['1.5h', 5400n * seconds],
    ['.5s', seconds / 2n],
    ['1.s', seconds],
    ['100ms', seconds / 10n],
    ['3us', 3000n],
    ['3µs', 3000n],
    ['3μs', 3000n],
    ['7ns', 7n],
    ['1h1m1s1ms1us1ns', 3661n * seconds + 1_001_001n],
  ];
  for (const [text, expected] of cases) {
    test(text, () => assert.equal(parseGoDuration(text), expected));
  }
  for (const text of ['', '-', '.s', 'h', '1', '1x', '1h 30m']) {
    test(`"${text}" is refused`, () => assert.throws(() => parseGoDuration(text)));
  }
});
