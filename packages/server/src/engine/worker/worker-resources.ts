import type { Kysely } from 'kysely';
import type { ArtifactStore } from '../../artifacts/artifact-store.ts';
import type { StoreDialect } from '../../store/dialects/store-dialect.ts';
import type { CairnDatabase } from '../../store/tables.ts';
import type { TaskExecutor } from '../executor/task-executor.ts';
import type { RunTerminations } from '../runs/run-terminations.ts';

/** What a worker runs tasks with: the stores, the executor, and its settings. */
export interface WorkerResources {
  readonly db: Kysely<CairnDatabase>;
  readonly dialect: StoreDialect;
  readonly artifactStore: ArtifactStore;
  readonly executor: TaskExecutor;
  /** Where task working directories go. */
  readonly workDir: string;
  readonly leaseMs: number;
  /** The pipeline root of runs that name none: the artifact store's own URL. */
  readonly defaultPipelineRoot: string;
  /** The server-wide caching switch; tasks and runs can only turn caching off, never on past this. */
  readonly caching?: boolean;
  /** How long a task may run when its spec sets no timeout; none when absent. */
  readonly taskTimeoutMs?: number;
  /** Terminations said in this process (by its API), heard before the next heartbeat would tell. */
  readonly terminations?: RunTerminations;
}
