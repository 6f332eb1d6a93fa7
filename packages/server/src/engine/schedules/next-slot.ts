import { compileTrigger } from './compile-trigger.ts';
import type { Trigger } from './trigger.ts';

/**
 * The slot KFP fires after a run at `after` (UTC ms), or undefined when the schedule has ended.
 * A cron fires at its first matching second after `after` or the start time, whichever is later; a
 * periodic schedule `intervalSeconds` after `after`, or at the start time when `after` is before it. The
 * slot is always after `after`, and never after the end time.
 * Throws a CairnError (SCHEDULE_INVALID) when the trigger is invalid.
 */
export function nextSlot(trigger: Trigger, after: number): number | undefined {
  const compiled = compileTrigger(trigger);
  const slot = compiled.firstAfter(after);
  return slot === undefined || (compiled.endTime !== undefined && slot > compiled.endTime) ? undefined : slot;
}
