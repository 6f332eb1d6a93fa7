import { errorMessage } from '../../errors.ts';
import { parseGoDuration } from './go-duration.ts';

/** The matching times of a cron expression, one sorted list of values per field. */
export interface CronFields {
  readonly seconds: readonly number[];
  readonly minutes: readonly number[];
  readonly hours: readonly number[];
  readonly daysOfMonth: readonly number[];
  readonly months: readonly number[];
  /** 0 is Sunday. */
  readonly daysOfWeek: readonly number[];
  /**
   * Whether the day-of-month or day-of-week field starts a range with `*` or `?`. Then a day must match
   * both fields; otherwise either (robfig/cron's rule, Vixie cron's too).
   */
  readonly daysMatchBoth: boolean;
}

export type CronSchedule =
  | { readonly kind: 'fields'; readonly fields: CronFields; readonly fieldCount: 5 | 6 | undefined }
  /** `@every <duration>`: a run that many whole seconds after the previous one. */
  | { readonly kind: 'every'; readonly delaySeconds: number };

interface Bounds {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: ReadonlyMap<string, number>;
}

const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

const SECONDS: Bounds = { name: 'seconds', min: 0, max: 59 };
const MINUTES: Bounds = { name: 'minutes', min: 0, max: 59 };
const HOURS: Bounds = { name: 'hours', min: 0, max: 23 };
const DAY_OF_MONTH: Bounds = { name: 'day-of-month', min: 1, max: 31 };
const MONTH: Bounds = {
  name: 'month',
  min: 1,
  max: 12,
  names: new Map(MONTH_NAMES.map((name, i) => [name, i + 1])),
};
const DAY_OF_WEEK: Bounds = {
  name: 'day-of-week',
  min: 0,
  max: 6,
  names: new Map(DAY_NAMES.map((name, i) => [name, i])),
};

const DESCRIPTORS: ReadonlyMap<string, string> = new Map([
  ['@yearly', '0 0 0 1 1 *'],
  ['@annually', '0 0 0 1 1 *'],
  ['@monthly', '0 0 0 1 * *'],
  ['@weekly', '0 0 0 * * 0'],
  ['@daily', '0 0 0 * * *'],
  ['@midnight', '0 0 0 * * *'],
  ['@hourly', '0 0 * * * *'],
]);

const EVERY = '@every ';

/**
 * Parses a cron expression exactly as KFP does: KFP validates and runs schedules with robfig/cron v1's
 * `cron.Parse`, which takes 6 fields (seconds minutes hours day-of-month month day-of-week) or 5 (the
 * same without day-of-week: not the standard 5-field cron, whose first field is minutes), `?` as `*`,
 * three-letter month and day names, `a-b/step` ranges, and the descriptors `@yearly`, `@annually`,
 * `@monthly`, `@weekly`, `@daily`, `@midnight`, `@hourly` and `@every <Go duration>`.
 * Throws an Error phrased to follow the expression ("… has 4 fields; …").
 */
export function parseRobfigCron(spec: string): CronSchedule {
  if (spec === '') throw new Error('is empty');
  if (spec.startsWith('@')) return parseDescriptor(spec);
  const texts = spec.split(/\s+/).filter((text) => text !== '');
  if (texts.length < 5 || texts.length > 6) {
    throw new Error(
      `has ${texts.length} field${texts.length === 1 ? '' : 's'}; KFP expects 6 ` +
        '(seconds minutes hours day-of-month month day-of-week) or 5 (the same without day-of-week)',
    );
  }
  return { kind: 'fields', fields: parseFields(texts), fieldCount: texts.length === 5 ? 5 : 6 };
}

function parseFields(texts: readonly string[]): CronFields {
  const [seconds = '', minutes = '', hours = '', daysOfMonth = '', months = '', daysOfWeek = '*'] = texts;
  const dom = parseField(daysOfMonth, DAY_OF_MONTH);
  const dow = parseField(daysOfWeek, DAY_OF_WEEK);
  return {
    seconds: parseField(seconds, SECONDS).values,
    minutes: parseField(minutes, MINUTES).values,
    hours: parseField(hours, HOURS).values,
    daysOfMonth: dom.values,
    months: parseField(months, MONTH).values,
    daysOfWeek: dow.values,
    daysMatchBoth: dom.star || dow.star,
  };
}

function parseDescriptor(spec: string): CronSchedule {
  const fields = DESCRIPTORS.get(spec);
  if (fields !== undefined)
    return { kind: 'fields', fields: parseFields(fields.split(' ')), fieldCount: undefined };
  if (spec.startsWith(EVERY)) {
    const text = spec.slice(EVERY.length);
    let nanoseconds: bigint;
    try {
      nanoseconds = parseGoDuration(text);
    } catch (error) {
      throw new Error(`has the duration "${text}", which ${errorMessage(error)}`);
    }
    // robfig/cron runs nothing more often than every second and drops fractions of a second.
    const delaySeconds = nanoseconds < 1_000_000_000n ? 1 : Number(nanoseconds / 1_000_000_000n);
    return { kind: 'every', delaySeconds };
  }
  throw new Error(`is not a descriptor KFP knows (${[...DESCRIPTORS.keys()].join(', ')}, @every <duration>)`);
}

/** A comma-separated list of ranges; robfig/cron skips empty items, so "1,,2" is "1,2". */
function parseField(text: string, bounds: Bounds): { values: number[]; star: boolean } {
  const values = new Set<number>();
  let star = false;
  for (const range of text.split(',')) {
    if (range === '') continue;
    try {
      star = parseRange(range, bounds, values) || star;
    } catch (error) {
      throw new Error(`has an invalid ${bounds.name} field "${text}": ${errorMessage(error)}`);
    }
  }
  return { values: [...values].sort((a, b) => a - b), star };
}

/** `*`, `?`, `n`, `a-b`, each with an optional `/step`; `n/step` means `n-max/step`. Returns whether it is a star. */
function parseRange(range: string, bounds: Bounds, into: Set<number>): boolean {
  const [span = '', step, ...extraSlashes] = range.split('/');
  if (extraSlashes.length > 0) throw new Error(`"${range}" has more than one "/"`);
  const [low = '', high, ...extraHyphens] = span.split('-');
  const star = low === '*' || low === '?';
  let start = bounds.min;
  let end = bounds.max;
  if (!star) {
    // robfig/cron ignores what follows a star's "-", so "*-5" is "*".
    if (extraHyphens.length > 0) throw new Error(`"${range}" has more than one "-"`);
    start = parseValue(low, bounds);
    end = high === undefined ? start : parseValue(high, bounds);
  }
  let increment = 1;
  if (step !== undefined) {
    increment = parseNumber(step);
    if (high === undefined && !star) end = bounds.max;
  }
  if (start < bounds.min) throw new Error(`${start} is below the minimum ${bounds.min}`);
  if (end > bounds.max) throw new Error(`${end} is above the maximum ${bounds.max}`);
  if (start > end) throw new Error(`the range ${start}-${end} ends before it starts`);
  if (increment === 0) throw new Error('a step must be a positive number');
  for (let value = start; value <= end; value += increment) into.add(value);
  return star;
}

function parseValue(text: string, bounds: Bounds): number {
  const named = bounds.names?.get(text.toLowerCase());
  if (named !== undefined) return named;
  try {
    return parseNumber(text);
  } catch (error) {
    if (bounds.names === undefined) throw error;
    const names = [...bounds.names.keys()];
    throw new Error(`"${text}" is neither a number nor a name (${names[0]}…${names.at(-1)})`);
  }
}

/** Go's strconv.Atoi, and robfig/cron's refusal of negative numbers. */
function parseNumber(text: string): number {
  if (!/^[+-]?\d+$/.test(text)) throw new Error(`"${text}" is not a number`);
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new Error(`"${text}" is too large`);
  if (value < 0) throw new Error(`"${text}" is negative`);
  return value;
}
