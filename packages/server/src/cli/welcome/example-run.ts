import { type Artifact, CairnClient } from '@cairn/sdk/api';
import type { Kysely } from 'kysely';
import type { CairnDatabase } from '../../store/tables.ts';
import { pipelineSource } from '../args/pipeline-source.ts';
import { formatTable } from '../format/table.ts';
import type { Output } from '../output.ts';
import { failureReason } from '../watch/run-progress.ts';
import { watchRun } from '../watch/watch-run.ts';

export interface ExampleRunOptions {
  readonly db: Kysely<CairnDatabase>;
  /** The server's own URL: the example goes through the API, as a user's run would. */
  readonly address: string;
  readonly file: string;
  readonly output: Output;
  readonly intervalMs: number;
  readonly signal: AbortSignal;
}

/**
 * A first start's welcome: on a store that has never run anything, submits the example pipeline, follows
 * it and shows what it produced. A store with runs is left alone, so restarting the server never adds
 * runs nobody asked for.
 */
export async function runExampleOnFirstStart(options: ExampleRunOptions): Promise<void> {
  const { db, address, file, output } = options;
  const existing = await db.selectFrom('runs').select('id').limit(1).executeTakeFirst();
  if (existing !== undefined) return;
  const client = new CairnClient({ baseUrl: address });
  const source = await pipelineSource(client, file, {});
  const run = await client.runs.create({
    display_name: `${source.pipelineName} (example)`,
    ...source.fields,
  });
  output.out(`example: the store is empty, so ${file} runs as a first example: run ${run.run_id}`);
  // Plain lines: the server's own log lines interleave with the progress, which a redrawn block would garble.
  const ended = await watchRun(
    client,
    run.run_id,
    { ...output, isTTY: false },
    {
      intervalMs: options.intervalMs,
      signal: options.signal,
    },
  );
  if (ended.state !== 'SUCCEEDED') {
    output.out(`example: run ${run.run_id} ended ${ended.state}: ${failureReason(ended)}`);
    return;
  }
  const artifacts: Artifact[] = [];
  for await (const artifact of client.artifacts.listAll({ run_id: run.run_id })) artifacts.push(artifact);
  output.out('example: its outputs');
  for (const line of outputsTable(artifacts)) output.out(`  ${line}`);
  output.out('example: see it with `npm run cairn -- run list` and `npm run cairn -- run get <run>`');
}

function outputsTable(artifacts: readonly Artifact[]): string[] {
  return formatTable(artifacts, [
    { header: 'NAME', value: (artifact) => artifact.name ?? '' },
    { header: 'TYPE', value: (artifact) => artifact.artifact_type },
    { header: 'VALUE', value: (artifact) => shownValue(artifact) },
  ]);
}

/** Metrics show their values; anything stored shows where it is. */
function shownValue(artifact: Artifact): string {
  const metadata = Object.entries(artifact.metadata ?? {}).filter(([key]) => key !== 'display_name');
  if (artifact.artifact_type === 'system.Metrics' && metadata.length > 0) {
    return metadata.map(([key, value]) => `${key}=${JSON.stringify(value)}`).join(' ');
  }
  return artifact.uri;
}
