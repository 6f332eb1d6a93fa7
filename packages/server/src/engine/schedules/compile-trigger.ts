import { Cron } from 'croner';
import { CairnError, errorMessage } from '../../errors.ts';
import { countCronSlots } from './cron-slot-count.ts';
import { isoTime } from './iso-time.ts';
import { type CronFields, parseRobfigCron } from './robfig-cron.ts';
import { MAX_TIME, MIN_TIME, type Trigger } from './trigger.ts';

/**
 * A trigger ready to compute slots. A slot is a firing time: UTC milliseconds on a whole second, and the
 * identity of that firing.
 */
export interface CompiledTrigger {
  readonly startTime: number | undefined;
  readonly endTime: number | undefined;
  /**
   * The slot KFP fires after a run at `after` (its last job time), with the start time applied but not
   * the end time; undefined when the schedule never fires again.
   */
  firstAfter(after: number): number | undefined;
  /** The slots from `first`, itself a slot, to `limit`: how many there are, and the latest `take` of them, ascending. */
  slotsThrough(first: number, limit: number, take: number): { count: number; latest: number[] };
}

/**
 * Validates a trigger and prepares its schedule, as KFP's ScheduledWorkflow controller computes it
 * (backend/src/crd/controller/scheduledworkflow/util: cron_schedule.go, periodic_schedule.go), in UTC.
 * Throws a CairnError (SCHEDULE_INVALID) naming the field at fault.
 */
export function compileTrigger(trigger: Trigger): CompiledTrigger {
  const field = (name: string) =>
    `trigger.${trigger.kind === 'CRON' ? 'cron_schedule' : 'periodic_schedule'}.${name}`;
  const startTime = checkTime(trigger.startTime, field('start_time'));
  const endTime = checkTime(trigger.endTime, field('end_time'));
  if (startTime !== undefined && endTime !== undefined && endTime <= startTime) {
    throw new CairnError(
      'SCHEDULE_INVALID',
      `${field('end_time')} (${isoTime(endTime)}) is not after ${field('start_time')} (${isoTime(startTime)}); the schedule could never fire`,
    );
  }
  if (trigger.kind === 'INTERVAL') {
    const interval = trigger.intervalSeconds;
    if (!Number.isSafeInteger(interval) || interval < 1 || interval * 1000 > MAX_TIME - MIN_TIME) {
      throw new CairnError(
        'SCHEDULE_INVALID',
        `${field('interval_second')} is ${interval}; expected a whole number of seconds, at least 1`,
      );
    }
    // KFP: the first run is at the start time only when the last run was before it (periodic_schedule.go).
    const firstAfter = (after: number) =>
      startTime !== undefined && startTime > after ? startTime : floorSecond(after) + interval * 1000;
    return chain(startTime, endTime, firstAfter, interval * 1000);
  }
  const cron = compileCron(trigger.cron, field('cron'));
  const base = (after: number) => (startTime !== undefined && startTime > after ? startTime : after);
  if (cron.kind === 'every') {
    const step = cron.delaySeconds * 1000;
    return chain(startTime, endTime, (after) => floorSecond(base(after)) + step, step);
  }
  return calendar(startTime, endTime, base, cron);
}

/** Schedules where each slot is a fixed step after the previous one. */
function chain(
  startTime: number | undefined,
  endTime: number | undefined,
  firstAfter: (after: number) => number,
  step: number,
): CompiledTrigger {
  return {
    startTime,
    endTime,
    firstAfter: (after) => withinRange(firstAfter(after)),
    slotsThrough(first, limit, take) {
      const count = first > limit ? 0 : Math.floor((limit - first) / step) + 1;
      const latest: number[] = [];
      for (let index = Math.max(0, count - take); index < count; index++) latest.push(first + index * step);
      return { count, latest };
    },
  };
}

function calendar(
  startTime: number | undefined,
  endTime: number | undefined,
  base: (after: number) => number,
  cron: CompiledCron & { kind: 'fields' },
): CompiledTrigger {
  return {
    startTime,
    endTime,
    firstAfter: (after) => withinRange(cron.croner.nextRun(new Date(base(after)))?.getTime()),
    slotsThrough(first, limit, take) {
      const count = countCronSlots(cron.fields, first - 1, limit);
      const wanted = Math.min(take, count);
      // previousRuns includes a run earlier in the reference's second, so 1 ms past `limit` includes `limit`.
      const runs = wanted === 0 ? [] : cron.croner.previousRuns(wanted, new Date(limit + 1));
      const latest = runs.map((run) => run.getTime()).filter((slot) => slot >= first && slot <= limit);
      return { count, latest: latest.reverse() };
    },
  };
}

type CompiledCron =
  | { readonly kind: 'every'; readonly delaySeconds: number }
  | { readonly kind: 'fields'; readonly fields: CronFields; readonly croner: Cron };

/** Parsed crons by text; a scheduler asks for the same few on every tick. */
const CRON_CACHE_LIMIT = 1000;
const cronCache = new Map<string, CompiledCron>();

function compileCron(text: string, field: string): CompiledCron {
  const cached = cronCache.get(text);
  if (cached !== undefined) return cached;
  let schedule: ReturnType<typeof parseRobfigCron>;
  try {
    schedule = parseRobfigCron(text);
  } catch (error) {
    throw new CairnError('SCHEDULE_INVALID', `${field} ${JSON.stringify(text)} ${errorMessage(error)}`);
  }
  let compiled: CompiledCron;
  if (schedule.kind === 'every') compiled = schedule;
  else {
    const croner = cronerFor(schedule.fields);
    if (croner === undefined || croner.nextRun(new Date(0)) === null) {
      throw new CairnError(
        'SCHEDULE_INVALID',
        `${field} ${JSON.stringify(text)} never fires: no date matches all its fields (such as 30 February)`,
      );
    }
    compiled = { kind: 'fields', fields: schedule.fields, croner };
  }
  cronCache.set(text, compiled);
  for (const oldest of cronCache.keys()) {
    if (cronCache.size <= CRON_CACHE_LIMIT) break;
    cronCache.delete(oldest);
  }
  return compiled;
}

/**
 * croner computes the firing times, given every field as an explicit list: robfig/cron's fields are
 * already expanded, and its day rule (both day fields must match when either starts with a star) is
 * passed on as croner's domAndDow, since explicit lists never look like stars to croner. Undefined when a
 * field has no value at all (robfig/cron reads "," as an empty list).
 */
function cronerFor(fields: CronFields): Cron | undefined {
  const lists = [
    fields.seconds,
    fields.minutes,
    fields.hours,
    fields.daysOfMonth,
    fields.months,
    fields.daysOfWeek,
  ];
  if (lists.some((values) => values.length === 0)) return undefined;
  const pattern = lists.map((values) => values.join(',')).join(' ');
  return new Cron(pattern, { timezone: 'UTC', mode: '6-part', domAndDow: fields.daysMatchBoth });
}

function checkTime(time: number | undefined, field: string): number | undefined {
  if (time === undefined) return undefined;
  if (!Number.isFinite(time) || time < MIN_TIME || time > MAX_TIME) {
    throw new CairnError('SCHEDULE_INVALID', `${field} is ${time}; expected a time from year 1 to 9999`);
  }
  // KFP keeps whole seconds of these times.
  return floorSecond(time);
}

function withinRange(slot: number | undefined): number | undefined {
  return slot === undefined || slot > MAX_TIME ? undefined : slot;
}

function floorSecond(time: number): number {
  return Math.floor(time / 1000) * 1000;
}
