/**
 * CreateRun throughput: concurrent clients POSTing a one-task pipeline inline, with no worker running (so
 * only creation is measured: the planning, the write transaction that records the run and queues its
 * first task, and the reply with the run as GetRun shows it).
 *
 * The baseline is the least a durable CreateRun can write: one write transaction per run (the same
 * `inWriteTransaction`, so `begin immediate` on SQLite, READ COMMITTED on PostgreSQL) holding three
 * single-row INSERTs (the run row with its spec, its first state-history entry and its root task),
 * from the same number of concurrent callers through the same Kysely instance, without HTTP, planning,
 * the experiment's upkeep or the read-back. What separates the two is Cairn's own work per run.
 */
import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { Kysely } from 'kysely';
import { inWriteTransaction } from '../../packages/server/src/engine/leases/write-transaction.ts';
import type { StoreDialect } from '../../packages/server/src/store/dialects/store-dialect.ts';
import type { CairnDatabase } from '../../packages/server/src/store/tables.ts';
import { measureThroughput, type Throughput } from './latency.ts';

export interface CreateOptions {
  readonly clients: number;
  readonly seconds: number;
  readonly warmup: number;
}

export async function measureCreateRuns(
  baseUrl: string,
  spec: Record<string, unknown>,
  options: CreateOptions,
): Promise<Throughput> {
  return measureThroughput(async (index) => {
    const response = await fetch(`${baseUrl}/apis/v2beta1/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        display_name: `bench create ${index}`,
        pipeline_spec: spec,
        runtime_config: { parameters: { word: `word ${index}` } },
      }),
    });
    const body = (await response.json()) as { run_id?: string };
    if (response.status !== 200 || !body.run_id) {
      throw new Error(`CreateRun answered ${response.status}: ${JSON.stringify(body)}`);
    }
  }, options);
}

/**
 * `measureCreateRuns` from a worker thread: the clients are a load generator, which in the server's own
 * thread took about a tenth of the thread the server needs (sending the requests, reading the answers),
 * as a load generator in a process of its own would not.
 */
export function measureCreateRunsInWorker(
  baseUrl: string,
  spec: Record<string, unknown>,
  options: CreateOptions,
): Promise<Throughput> {
  const worker = new Worker(new URL('./create-runs-worker.ts', import.meta.url), {
    workerData: { baseUrl, spec, options },
  });
  return new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the CreateRun clients' worker exited with ${code}`)));
  });
}

export async function measureBareInserts(
  db: Kysely<CairnDatabase>,
  dialect: StoreDialect,
  { specText, experimentId }: { specText: string; experimentId: string },
  options: CreateOptions,
): Promise<Throughput> {
  return measureThroughput(
    (index) =>
      inWriteTransaction(db, dialect, async (trx) => {
        const now = Date.now();
        const runId = randomUUID();
        await trx
          .insertInto('runs')
          .values({
            id: runId,
            experiment_id: experimentId,
            display_name: `bench insert ${index}`,
            description: null,
            pipeline_id: null,
            pipeline_version_id: null,
            pipeline_spec: specText,
            runtime_config: JSON.stringify({ parameters: { word: `word ${index}` }, pipeline_root: null }),
            service_account: null,
            recurring_run_id: null,
            state: 'PENDING',
            error: null,
            created_at: now,
            scheduled_at: now,
            started_at: null,
            finished_at: null,
            updated_at: now,
          })
          .execute();
        await trx
          .insertInto('run_state_history')
          .values({ run_id: runId, seq: 1, state: 'PENDING', error: null, created_at: now })
          .execute();
        await trx
          .insertInto('tasks')
          .values({
            id: randomUUID(),
            run_id: runId,
            parent_task_id: null,
            path: 'root',
            name: 'root',
            display_name: 'root',
            kind: 'root',
            iteration_index: null,
            state: 'RUNNING',
            attempt: 0,
            max_attempts: 1,
            inputs: JSON.stringify({ parameters: { word: `word ${index}` }, artifacts: {} }),
            outputs: null,
            error: null,
            ready_at: null,
            created_at: now,
            started_at: now,
            finished_at: null,
            updated_at: now,
          })
          .execute();
      }),
    options,
  );
}
