import type { AnyDb, StoreDialect } from '../../store/dialects/store-dialect.ts';
import { LATEST_SCHEMA_VERSION, OLDEST_WRITABLE_SCHEMA_VERSION } from '../../store/migrations/index.ts';
import { type Maintenance, readMaintenance } from './maintenance-state.ts';
import { recordedSchemaVersion } from './recorded-schema-version.ts';

/** The maintenance this process obeys: the stored one, and whether its code may still write at all. */
export interface ProcessMaintenance extends Maintenance {
  /**
   * False when the database records a schema newer than this code knows (a newer Cairn upgraded it while
   * this process ran), or older than it writes (a downgrade took it back past a migration this code
   * needs): nothing of this process may write to it any more, not even a task's end.
   */
  readonly writable: boolean;
  /** What a refused write is told; empty when serving. */
  readonly message: string;
}

export interface MaintenanceWatchOptions {
  /** How long a reading is used before the database is asked again. 1 s by default. */
  readonly intervalMs?: number;
  /** The newest schema this code knows. */
  readonly codeSchemaVersion?: number;
  /** The oldest schema this code writes to. */
  readonly oldestWritableSchemaVersion?: number;
  /** Told of every change of mode, plan or reason, and of the first reading unless it is serving. */
  readonly onChange?: (maintenance: ProcessMaintenance) => void;
}

const DEFAULT_INTERVAL_MS = 1000;

const SERVING: ProcessMaintenance = {
  mode: 'serving',
  planId: null,
  reason: null,
  since: null,
  writable: true,
  message: '',
};

/**
 * One process's view of the maintenance mode, shared by its API server, worker and recurring-run
 * ticker. The database is asked at most once per interval, whoever asks: a request, a claim or a tick
 * uses the reading in hand, so a mode set by an upgrade is obeyed everywhere within about an interval.
 */
export class MaintenanceWatch {
  readonly #db: AnyDb;
  readonly #dialect: StoreDialect;
  readonly #intervalMs: number;
  readonly #schemas: WritableSchemas;
  readonly #onChange: ((maintenance: ProcessMaintenance) => void) | undefined;
  #reading: ProcessMaintenance | undefined;
  #readAt = Number.NEGATIVE_INFINITY;
  #pending: Promise<ProcessMaintenance> | undefined;

  constructor(db: AnyDb, dialect: StoreDialect, options: MaintenanceWatchOptions = {}) {
    this.#db = db;
    this.#dialect = dialect;
    this.#intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
    this.#schemas = {
      newest: options.codeSchemaVersion ?? LATEST_SCHEMA_VERSION,
      oldest: options.oldestWritableSchemaVersion ?? OLDEST_WRITABLE_SCHEMA_VERSION,
    };
    this.#onChange = options.onChange;
  }

  /** The current maintenance, read again when the last reading is older than the interval. */
  async current(): Promise<ProcessMaintenance> {
    if (this.#reading !== undefined && performance.now() - this.#readAt < this.#intervalMs) {
      return this.#reading;
    }
    this.#pending ??= this.#read().finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  async #read(): Promise<ProcessMaintenance> {
    try {
      const next = await processMaintenance(this.#db, this.#dialect, this.#schemas);
      const previous = this.#reading ?? SERVING;
      this.#reading = next;
      if (next.mode !== previous.mode || next.message !== previous.message) this.#onChange?.(next);
      return next;
    } catch (error) {
      // The database did not answer. The last reading stands until it does: whatever the caller goes on
      // to do needs the database too, and fails and is reported there.
      if (this.#reading === undefined) throw error;
      return this.#reading;
    } finally {
      this.#readAt = performance.now();
    }
  }
}

/** The schema versions this code writes to, oldest to newest. */
interface WritableSchemas {
  readonly oldest: number;
  readonly newest: number;
}

async function processMaintenance(
  db: AnyDb,
  dialect: StoreDialect,
  schemas: WritableSchemas,
): Promise<ProcessMaintenance> {
  const stored = await readMaintenance(db, dialect);
  const schemaVersion = await recordedSchemaVersion(db, dialect);
  // A new database (no schema recorded) is the migrator's to create; nothing else writes to it first.
  const reason =
    schemaVersion > schemas.newest
      ? `the database was upgraded to schema ${schemaVersion}; restart Cairn on a release that knows it`
      : schemaVersion > 0 && schemaVersion < schemas.oldest
        ? `the database was taken back to schema ${schemaVersion}, and this Cairn writes to schema ` +
          `${schemas.oldest} or later; restart Cairn on the release of that schema, or upgrade the database ` +
          "again ('cairn admin upgrade')"
        : undefined;
  if (reason !== undefined) {
    return {
      ...stored,
      mode: stored.mode === 'serving' ? 'draining' : stored.mode,
      reason,
      writable: false,
      message: `Cairn no longer writes to its database: ${reason}`,
    };
  }
  if (stored.mode === 'serving') return { ...stored, writable: true, message: '' };
  const plan = stored.planId === null ? '' : ` (plan ${stored.planId})`;
  const why = stored.reason === null ? '' : `: ${stored.reason}`;
  return {
    ...stored,
    writable: true,
    message: `Cairn is in maintenance${plan}${why}; writes resume when it ends`,
  };
}
