/** The CreateRun clients, run in a worker thread of their own (see `measureCreateRunsInWorker`). */
import { parentPort, workerData } from 'node:worker_threads';
import { type CreateOptions, measureCreateRuns } from './create-runs.ts';

const { baseUrl, spec, options } = workerData as {
  baseUrl: string;
  spec: Record<string, unknown>;
  options: CreateOptions;
};
parentPort?.postMessage(await measureCreateRuns(baseUrl, spec, options));
