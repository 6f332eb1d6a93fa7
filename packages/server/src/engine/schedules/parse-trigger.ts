import { CairnError } from '../../errors.ts';
import { compileTrigger } from './compile-trigger.ts';
import { parseJsonInteger } from './json-integer.ts';
import { parseRfc3339 } from './rfc3339.ts';
import { parseRobfigCron } from './robfig-cron.ts';
import type { Trigger } from './trigger.ts';

export interface ParsedTrigger {
  readonly trigger: Trigger;
  /** Things KFP accepts that probably do not mean what their author thinks. */
  readonly warnings: readonly string[];
}

type JsonObject = Record<string, unknown>;

/**
 * Reads and validates a trigger in KFP's REST form (`v2beta1Trigger`: `cron_schedule` {`cron`,
 * `start_time`, `end_time`} or `periodic_schedule` {`interval_second`, `start_time`, `end_time`}; the
 * lowerCamelCase names protobuf's JSON also accepts are read too). Accepts what KFP's API server accepts:
 * any cron robfig/cron v1 parses, an interval of at least one second; and also requires what KFP leaves
 * unchecked: a cron that can fire at all, and an end time after the start time.
 * Throws a CairnError (SCHEDULE_INVALID) naming the field at fault.
 */
export function parseTrigger(input: unknown): ParsedTrigger {
  const fields = readObject(input, 'trigger', ['cron_schedule', 'periodic_schedule']);
  const cron = fields.get('cron_schedule');
  const periodic = fields.get('periodic_schedule');
  if (cron !== undefined && periodic !== undefined) {
    throw invalid('trigger sets both cron_schedule and periodic_schedule; a trigger is one or the other');
  }
  if (cron !== undefined) return cronTrigger(cron);
  if (periodic !== undefined) return { trigger: periodicTrigger(periodic), warnings: [] };
  throw invalid(
    'trigger sets neither cron_schedule nor periodic_schedule (KFP runs such a recurring run once, which Cairn does not support)',
  );
}

function cronTrigger(input: unknown): ParsedTrigger {
  const path = 'trigger.cron_schedule';
  const fields = readObject(input, path, ['cron', 'start_time', 'end_time']);
  const cron = fields.get('cron');
  if (typeof cron !== 'string') {
    throw invalid(`${path}.cron is ${describe(cron)}; expected a cron expression such as "0 0 * * * *"`);
  }
  const trigger: Trigger = { kind: 'CRON', cron, ...times(fields, path) };
  compileTrigger(trigger);
  const warnings: string[] = [];
  const schedule = parseRobfigCron(cron);
  if (schedule.kind === 'fields' && schedule.fieldCount === 5) {
    warnings.push(
      `${path}.cron ${JSON.stringify(cron)} has 5 fields, which KFP reads as seconds, minutes, hours, ` +
        'day of month and month, not as a standard crontab line starting with minutes; if minutes come ' +
        `first, add a seconds field: ${JSON.stringify(`0 ${cron.trim()}`)}`,
    );
  }
  return { trigger, warnings };
}

function periodicTrigger(input: unknown): Trigger {
  const path = 'trigger.periodic_schedule';
  const fields = readObject(input, path, ['interval_second', 'start_time', 'end_time']);
  const raw = fields.get('interval_second');
  const interval = parseJsonInteger(raw);
  if (interval === undefined || interval < 1) {
    throw invalid(
      `${path}.interval_second is ${describe(raw)}; expected a whole number of seconds, at least 1`,
    );
  }
  const trigger: Trigger = { kind: 'INTERVAL', intervalSeconds: interval, ...times(fields, path) };
  compileTrigger(trigger);
  return trigger;
}

function times(fields: ReadonlyMap<string, unknown>, path: string): { startTime?: number; endTime?: number } {
  const result: { startTime?: number; endTime?: number } = {};
  const startTime = readTime(fields.get('start_time'), `${path}.start_time`);
  const endTime = readTime(fields.get('end_time'), `${path}.end_time`);
  if (startTime !== undefined) result.startTime = startTime;
  if (endTime !== undefined) result.endTime = endTime;
  return result;
}

function readTime(value: unknown, path: string): number | undefined {
  if (value === undefined) return undefined;
  const time = typeof value === 'string' ? parseRfc3339(value) : undefined;
  if (time === undefined) {
    throw invalid(
      `${path} is ${describe(value)}; expected an RFC 3339 time from year 1 to 9999, such as "2024-05-01T12:00:00Z"`,
    );
  }
  // KFP keeps whole seconds (the Timestamp's seconds field).
  return Math.floor(time / 1000) * 1000;
}

/**
 * An object's fields by their proto names, each also accepted in lowerCamelCase as protobuf's JSON reads
 * them; unknown fields are refused (a misspelt field would otherwise change the schedule silently), and
 * null stands for an absent field, as in protobuf's JSON.
 */
function readObject(input: unknown, path: string, names: readonly string[]): Map<string, unknown> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw invalid(`${path} is ${describe(input)}; expected an object with ${names.join(', ')}`);
  }
  const fields = new Map<string, unknown>();
  for (const [key, value] of Object.entries(input as JsonObject)) {
    const name = names.find((candidate) => candidate === key || camelCase(candidate) === key);
    if (name === undefined) {
      throw invalid(`${path} has the unknown field "${key}"; expected ${names.join(', ')}`);
    }
    if (fields.has(name)) throw invalid(`${path} sets ${name} twice (as ${name} and ${camelCase(name)})`);
    fields.set(name, value);
  }
  for (const [name, value] of fields) if (value === null) fields.delete(name);
  return fields;
}

function camelCase(name: string): string {
  return name.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (Array.isArray(value)) return 'a list';
  if (value !== null && typeof value === 'object') return 'an object';
  return JSON.stringify(value);
}

function invalid(message: string): CairnError {
  return new CairnError('SCHEDULE_INVALID', message);
}
