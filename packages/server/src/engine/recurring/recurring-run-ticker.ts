import { setTimeout as sleep } from 'node:timers/promises';
import type { Kysely } from 'kysely';
import { errorMessage } from '../../errors.ts';
import { MaintenanceWatch } from '../../lifecycle/maintenance/maintenance-watch.ts';
import type { StoreDialect } from '../../store/dialects/store-dialect.ts';
import type { CairnDatabase } from '../../store/tables.ts';
import { type FireReport, fireDueRecurringRuns } from './fire-recurring-runs.ts';

export interface RecurringRunTickerOptions {
  /** How often due slots are looked for; a slot fires at most this late. */
  readonly pollMs: number;
  /** When catching up after downtime, the most slots one recurring run fires at once. */
  readonly catchupCap: number;
  /** Told what each look fired, skipped or held back, when it did anything. */
  readonly onReport?: (report: FireReport) => void;
  readonly onError?: (error: unknown) => void;
  /** The maintenance mode, shared with the rest of the process; absent, the ticker watches it on its own. */
  readonly maintenance?: MaintenanceWatch;
}

/**
 * Fires recurring runs on time, until stopped. Safe to run in any number of processes at once: each slot
 * fires once whoever gets there first (see `fireDueRecurringRuns`). Out of service (maintenance) it fires
 * nothing; the slots missed meanwhile are fired afterwards by the usual catch-up rules, as after downtime.
 */
export class RecurringRunTicker {
  readonly #db: Kysely<CairnDatabase>;
  readonly #dialect: StoreDialect;
  readonly #options: RecurringRunTickerOptions;
  readonly #maintenance: MaintenanceWatch;
  readonly #stopped = new AbortController();
  #loop: Promise<void> | undefined;

  constructor(db: Kysely<CairnDatabase>, dialect: StoreDialect, options: RecurringRunTickerOptions) {
    this.#db = db;
    this.#dialect = dialect;
    this.#options = options;
    this.#maintenance = options.maintenance ?? new MaintenanceWatch(db, dialect);
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  /** Stops looking, and waits for a look under way to commit or roll back. */
  async stop(): Promise<void> {
    this.#stopped.abort();
    await this.#loop;
  }

  async #run(): Promise<void> {
    const { signal } = this.#stopped;
    while (!signal.aborted) {
      try {
        if ((await this.#maintenance.current()).mode === 'serving') await this.#fire();
      } catch (error) {
        if (this.#options.onError) this.#options.onError(error);
        else process.stderr.write(`cairn recurring runs: ${errorMessage(error)}\n`);
      }
      await sleep(this.#options.pollMs, undefined, { signal }).catch(() => undefined);
    }
  }

  async #fire(): Promise<void> {
    const report = await fireDueRecurringRuns(this.#db, this.#dialect, {
      catchupCap: this.#options.catchupCap,
    });
    const busy = report.fired.length + report.skipped.length + report.waiting.length > 0;
    if (busy) this.#options.onReport?.(report);
  }
}
