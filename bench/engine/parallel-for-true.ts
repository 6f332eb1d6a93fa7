/**
 * Engine overhead: a ParallelFor of 1,000 `true` tasks, end to end on the embedded default (SQLite and a
 * local folder), against `xargs -P2` spawning the same 1,000 processes in the same run. Prints the wall
 * times and their ratio (goal: at most 1.5).
 *
 *   npm run bench:engine [-- --tasks 1000 --concurrency 2]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { compile, containerComponent, ParallelFor, pipeline } from '@cairn/sdk';
import type { Kysely } from 'kysely';
import { FsArtifactStore } from '../../packages/server/src/artifacts/fs-artifact-store.ts';
import { LocalExecutor } from '../../packages/server/src/engine/executor/local/local-executor.ts';
import { createRun } from '../../packages/server/src/engine/runs/create-run.ts';
import { Worker } from '../../packages/server/src/engine/worker/worker.ts';
import { connectDatabase } from '../../packages/server/src/store/connect-database.ts';
import { parseDatabaseUrl } from '../../packages/server/src/store/database-url.ts';
import { Migrator } from '../../packages/server/src/store/migrator/migrator.ts';
import type { CairnDatabase } from '../../packages/server/src/store/tables.ts';

const { values } = parseArgs({
  options: { tasks: { type: 'string', default: '1000' }, concurrency: { type: 'string', default: '2' } },
});
const tasks = Number(values.tasks);
const concurrency = Number(values.concurrency);

function xargsSeconds(): number {
  const started = performance.now();
  execFileSync('sh', ['-c', `seq ${tasks} | xargs -P${concurrency} -n1 true`]);
  return (performance.now() - started) / 1000;
}

async function engineSeconds(): Promise<number> {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-engine-'));
  const handle = await connectDatabase(parseDatabaseUrl(`sqlite://${path.join(scratch, 'metadata.sqlite')}`));
  try {
    const outcome = await new Migrator({ db: handle.db, dialect: handle.dialect }).migrateTo();
    if (outcome.error) throw outcome.error;
    const db = handle.db as Kysely<CairnDatabase>;
    const artifacts = path.join(scratch, 'artifacts');
    const worker = new Worker(
      {
        db,
        dialect: handle.dialect,
        artifactStore: new FsArtifactStore(artifacts),
        executor: new LocalExecutor(),
        workDir: path.join(scratch, 'work'),
        leaseMs: 30_000,
        defaultPipelineRoot: `file://${artifacts}`,
      },
      { concurrency, pollMs: 5 },
    );
    const succeed = containerComponent({ name: 'true', image: 'busybox', command: ['true'] });
    const items = Array.from({ length: tasks }, (_, index) => index);
    const fanOut = pipeline({ name: 'parallel-for-true' }, () => {
      ParallelFor(items, () => {
        succeed().setCachingOptions(false);
      });
    });
    const spec = compile(fanOut);
    const started = performance.now();
    worker.start();
    const runId = await createRun(db, handle.dialect, { displayName: 'bench', pipelineSpec: spec });
    for (;;) {
      const run = await db
        .selectFrom('runs')
        .select('state')
        .where('id', '=', runId)
        .executeTakeFirstOrThrow();
      if (run.state === 'SUCCEEDED') break;
      if (run.state === 'FAILED' || run.state === 'CANCELED') throw new Error(`the run ended ${run.state}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const seconds = (performance.now() - started) / 1000;
    await worker.stop();
    return seconds;
  } finally {
    await handle.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

const baseline = xargsSeconds();
const engine = await engineSeconds();
console.log(`tasks: ${tasks}, concurrency: ${concurrency}`);
console.log(`xargs -P${concurrency}: ${baseline.toFixed(2)} s`);
console.log(`cairn engine: ${engine.toFixed(2)} s (${(tasks / engine).toFixed(0)} tasks/s)`);
console.log(`ratio: ${(engine / baseline).toFixed(1)}x (goal: at most 1.5x)`);
