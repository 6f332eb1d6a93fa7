import type { CronFields } from './robfig-cron.ts';

const DAY_MS = 86_400_000;

/**
 * How many times a cron expression fires in (lower, upper], UTC milliseconds. Counted a day at a time,
 * so a schedule firing every second over decades costs a loop over its days, not over its firings.
 */
export function countCronSlots(fields: CronFields, lower: number, upper: number): number {
  if (upper <= lower) return 0;
  const days = dayMatcher(fields);
  const perDay = fields.hours.length * fields.minutes.length * fields.seconds.length;
  let total = 0;
  for (let day = Math.floor(lower / DAY_MS); day <= Math.floor(upper / DAY_MS); day++) {
    if (!days(day)) continue;
    const start = day * DAY_MS;
    const before = upper - start >= DAY_MS ? perDay : timesUpTo(fields, upper - start);
    total += before - timesUpTo(fields, lower - start);
  }
  return total;
}

function dayMatcher(fields: CronFields): (day: number) => boolean {
  const months = new Set(fields.months);
  const daysOfMonth = new Set(fields.daysOfMonth);
  const daysOfWeek = new Set(fields.daysOfWeek);
  return (day) => {
    const date = new Date(day * DAY_MS);
    if (!months.has(date.getUTCMonth() + 1)) return false;
    const dom = daysOfMonth.has(date.getUTCDate());
    const dow = daysOfWeek.has(date.getUTCDay());
    return fields.daysMatchBoth ? dom && dow : dom || dow;
  };
}

/** How many of the day's firing times fall at or before `ms` milliseconds into the day. */
function timesUpTo(fields: CronFields, ms: number): number {
  if (ms < 0) return 0;
  const second = Math.floor(ms / 1000);
  const hour = Math.floor(second / 3600);
  const minute = Math.floor((second % 3600) / 60);
  const perHour = fields.minutes.length * fields.seconds.length;
  let count = below(fields.hours, hour) * perHour;
  if (!fields.hours.includes(hour)) return count;
  count += below(fields.minutes, minute) * fields.seconds.length;
  if (!fields.minutes.includes(minute)) return count;
  return count + below(fields.seconds, (second % 60) + 1);
}

/** How many of the sorted values are below `limit`. */
function below(values: readonly number[], limit: number): number {
  let count = 0;
  while (count < values.length && (values[count] ?? limit) < limit) count++;
  return count;
}
