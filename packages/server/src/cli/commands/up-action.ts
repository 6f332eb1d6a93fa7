import type { Command } from 'commander';
import type { Kysely } from 'kysely';
import { buildApiServer, OPENAPI_PATH } from '../../api/api-server.ts';
import { RecurringRunTicker } from '../../engine/recurring/recurring-run-ticker.ts';
import { RunTerminations } from '../../engine/runs/run-terminations.ts';
import { errorMessage } from '../../errors.ts';
import { describeDatabase } from '../../store/database-url.ts';
import { LATEST_SCHEMA_VERSION } from '../../store/migrations/index.ts';
import type { CairnDatabase } from '../../store/tables.ts';
import { CAIRN_VERSION } from '../../version.ts';
import { configFrom } from '../command-config.ts';
import type { Output } from '../output.ts';
import {
  checkArtifactStore,
  openWorkingStores,
  startTaskWorker,
  type TaskWorker,
  watchMaintenance,
} from '../task-worker.ts';
import { upgradeOnStart } from '../upgrade-on-start.ts';
import { runExampleOnFirstStart } from '../welcome/example-run.ts';
import type { WorkerCommandOptions } from '../worker-options.ts';

export interface UpOptions extends WorkerCommandOptions {
  host: string;
  port: number;
  worker: boolean;
  maxBodyBytes: number;
  catchupCap: number;
  example?: string;
  autoUpgrade: boolean;
}

export async function runUp(options: UpOptions, command: Command, output: Output): Promise<void> {
  await upgradeOnStart(configFrom(command), output, { autoUpgrade: options.autoUpgrade });
  const { config, handle, store, stopRequested, close } = await openWorkingStores(
    command,
    output,
    'resumed on the next start once their leases expire',
  );
  let worker: TaskWorker | undefined;
  try {
    await checkArtifactStore(store);
    const db = handle.db as Kysely<CairnDatabase>;
    // One watch for the API, the ticker and the embedded worker: the database is asked once for all.
    const maintenance = watchMaintenance(handle, output, 'cairn up');
    // The embedded worker hears of a run terminated through this API at once, not at its next heartbeat.
    const terminations = new RunTerminations();
    const app = await buildApiServer(
      {
        db,
        dialect: handle.dialect,
        artifactStore: store,
        version: CAIRN_VERSION,
        schemaVersion: LATEST_SCHEMA_VERSION,
        maintenance,
        terminations,
      },
      { bodyLimitBytes: options.maxBodyBytes },
    );
    const ticker = new RecurringRunTicker(db, handle.dialect, {
      pollMs: 1000,
      catchupCap: options.catchupCap,
      onReport: (report) => {
        for (const fired of report.fired) {
          output.out(
            `${new Date().toISOString()} recurring run ${fired.recurringRunId} fired run ${fired.runId} for ` +
              `${new Date(fired.slot).toISOString()}${fired.error ? ` (FAILED: ${fired.error})` : ''}`,
          );
        }
        for (const skipped of report.skipped) {
          output.out(
            `${new Date().toISOString()} recurring run ${skipped.recurringRunId} skipped ${skipped.count} missed ` +
              `slot(s) from ${new Date(skipped.first).toISOString()} to ${new Date(skipped.last).toISOString()} (${skipped.reason})`,
          );
        }
      },
      onError: (error) =>
        output.err(`${new Date().toISOString()} cairn up: recurring runs: ${errorMessage(error)}`),
      maintenance,
    });
    const address = await app.listen({ host: options.host, port: options.port });
    ticker.start();
    if (options.worker) {
      worker = startTaskWorker(config, handle, store, options, output, 'cairn up', {
        maintenance,
        terminations,
      });
    }
    output.out(`Cairn ${CAIRN_VERSION} is up at ${address}`);
    output.out(`  API       ${address}/apis/v2beta1 (OpenAPI at ${address}${OPENAPI_PATH})`);
    output.out(`  database  ${describeDatabase(config.db.value)}`);
    output.out(`  artifacts ${store.url}`);
    output.out(
      worker
        ? `  worker    ${worker.worker.owner}, ${options.concurrency} task(s) at once, work dir ${worker.workDir}`
        : '  worker    none here (--no-worker): tasks wait for a `cairn worker` on the same stores',
    );
    const stopping = new AbortController();
    const example =
      options.example === undefined
        ? undefined
        : runExampleOnFirstStart({
            db,
            address,
            file: options.example,
            output,
            intervalMs: 500,
            signal: stopping.signal,
          }).catch((error: unknown) => {
            if (!stopping.signal.aborted) output.err(`cairn up: example: ${errorMessage(error)}`);
          });
    const signal = await stopRequested;
    stopping.abort();
    await example;
    output.out(
      `${signal}: stopping; no new requests, no new tasks claimed, ` +
        `${worker?.executor.running ?? 0} running task(s) let finish (send it again to stop them now)`,
    );
    await app.close();
    await ticker.stop();
    await worker?.worker.stop();
    output.out('Cairn stopped');
  } finally {
    await close();
  }
}
