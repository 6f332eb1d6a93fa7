import { compileTrigger } from './compile-trigger.ts';
import { MAX_TIME, type Trigger } from './trigger.ts';

export interface DueSlotsOptions {
  /** The latest slot already fired, or undefined when the recurring run has never fired. */
  readonly lastSlot: number | undefined;
  /** When the recurring run was created: where a schedule without a start time counts from, as in KFP. */
  readonly createdAt: number;
  readonly now: number;
  /** KFP's `no_catchup`: when behind schedule, fire only the most recent missed slot. */
  readonly noCatchup: boolean;
  /** When catching up, the most slots fired at once; the older missed slots are skipped. */
  readonly catchupCap: number;
}

export interface DueSlots {
  /** The slots to fire now, oldest first; each is the identity of its firing. */
  readonly due: readonly number[];
  /** Missed slots that will never fire, older than every due slot. */
  readonly skipped: SkippedSlots | undefined;
  /** The slot after the due ones, in the future; undefined when the schedule has ended. */
  readonly next: number | undefined;
}

export interface SkippedSlots {
  readonly count: number;
  readonly first: number;
  readonly last: number;
  /** `no_catchup` when the recurring run asked for it, `catchup_cap` when there were more than the cap. */
  readonly reason: 'no_catchup' | 'catchup_cap';
}

/**
 * The slots a recurring run fires at `now`, with KFP's semantics (ScheduledWorkflow controller): slots
 * count from the last fired slot, or the start time, or the creation time; they stop at the end time.
 * With catch-up (KFP's default) every missed slot fires, in order; without (`no_catchup`) only the most
 * recent one. Unlike KFP, which creates the missed runs one by one without limit, at most `catchupCap`
 * fire here: the most recent ones, so that a long outage cannot unleash a storm of runs, and the older
 * ones are reported as skipped. A periodic schedule without catch-up also stays on its grid: KFP fires
 * at the current time instead, which would make the slot depend on when the scheduler looks.
 * Deterministic: the same arguments give the same slots.
 * Throws a CairnError (SCHEDULE_INVALID) when the trigger is invalid.
 */
export function dueSlots(trigger: Trigger, options: DueSlotsOptions): DueSlots {
  checkOptions(options);
  const compiled = compileTrigger(trigger);
  const end = compiled.endTime ?? MAX_TIME;
  const ended = (slot: number | undefined) => (slot === undefined || slot > end ? undefined : slot);
  const anchor = options.lastSlot ?? compiled.startTime ?? options.createdAt;
  const first = ended(compiled.firstAfter(anchor));
  const limit = Math.min(options.now, end);
  if (first === undefined || first > limit) return { due: [], skipped: undefined, next: first };

  const take = options.noCatchup ? 1 : options.catchupCap;
  // One more than `take`, to learn the last skipped slot.
  const { count, latest } = compiled.slotsThrough(first, limit, take + 1);
  const due = latest.slice(-take);
  const lastDue = due.at(-1) ?? first;
  const next = ended(compiled.firstAfter(lastDue));
  const lastSkipped = latest.length > due.length ? latest[0] : undefined;
  if (count <= due.length || lastSkipped === undefined) return { due, skipped: undefined, next };
  return {
    due,
    skipped: {
      count: count - due.length,
      first,
      last: lastSkipped,
      reason: options.noCatchup ? 'no_catchup' : 'catchup_cap',
    },
    next,
  };
}

function checkOptions(options: DueSlotsOptions): void {
  for (const name of ['createdAt', 'now'] as const) {
    if (!Number.isFinite(options[name])) throw new RangeError(`dueSlots: ${name} is ${options[name]}`);
  }
  if (options.lastSlot !== undefined && !Number.isFinite(options.lastSlot)) {
    throw new RangeError(`dueSlots: lastSlot is ${options.lastSlot}`);
  }
  if (!Number.isSafeInteger(options.catchupCap) || options.catchupCap < 1) {
    throw new RangeError(
      `dueSlots: catchupCap is ${options.catchupCap}; expected a whole number, at least 1`,
    );
  }
}
