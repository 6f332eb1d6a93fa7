import type { Command } from 'commander';
import { describeDatabase } from '../../store/database-url.ts';
import type { Output } from '../output.ts';
import { checkArtifactStore, openWorkingStores, startTaskWorker } from '../task-worker.ts';
import type { WorkerCommandOptions } from '../worker-options.ts';

export async function runWorker(
  options: WorkerCommandOptions,
  command: Command,
  output: Output,
): Promise<void> {
  const { config, handle, store, stopRequested, close } = await openWorkingStores(
    command,
    output,
    'left to be taken over when their leases expire',
  );
  try {
    await checkArtifactStore(store);
    const { worker, executor, workDir } = startTaskWorker(
      config,
      handle,
      store,
      options,
      output,
      'cairn worker',
    );
    output.out(
      `cairn worker ${worker.owner} started: database ${describeDatabase(config.db.value)}, ` +
        `artifacts ${store.url}, concurrency ${options.concurrency}, lease ${options.leaseSeconds} s, ` +
        `work dir ${workDir}`,
    );
    const signal = await stopRequested;
    output.out(
      `${signal}: claiming no more tasks; waiting for ${executor.running} running task(s) to end ` +
        '(send it again to kill them)',
    );
    await worker.stop();
    output.out(`cairn worker ${worker.owner} stopped`);
  } finally {
    await close();
  }
}
