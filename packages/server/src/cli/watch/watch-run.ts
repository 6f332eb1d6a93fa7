import { setTimeout as sleep } from 'node:timers/promises';
import { type CairnClient, type Run, type RuntimeState, ServerUnreachableError } from '@cairn/sdk/api';
import type { Output } from '../output.ts';
import { failureReason, finalLine, isFinal, progressBlock, progressOf, taskChanges } from './run-progress.ts';

export interface WatchOptions {
  /** How often the run is read. */
  intervalMs: number;
  /**
   * How long the server may stay unreachable before the watch gives up: long enough to ride out a
   * restart (an upgrade drains and resumes runs, so the run goes on without it).
   */
  unreachableForMs?: number;
  /** Ends the watch early, rejecting with the signal's reason (a server shutting down stops its own watch). */
  signal?: AbortSignal;
}

const DEFAULT_UNREACHABLE_MS = 60_000;

/** Moves the cursor to the start of the line `lines` up and clears from there down. */
function eraseUp(lines: number): string {
  return lines === 0 ? '' : `\x1b[${lines}F\x1b[J`;
}

/**
 * Follows a run until it ends and returns it as it ended. A terminal sees a block redrawn in place;
 * other output gets a line per task state change, which reads well in a log file.
 */
export async function watchRun(
  client: CairnClient,
  runId: string,
  output: Output,
  options: WatchOptions,
): Promise<Run> {
  const seen = new Map<string, RuntimeState>();
  let drawn = 0;
  let unreachableSince: number | undefined;
  for (;;) {
    let run: Run;
    try {
      run = await client.runs.get(runId);
      unreachableSince = undefined;
    } catch (error) {
      if (!(error instanceof ServerUnreachableError)) throw error;
      const now = Date.now();
      if (unreachableSince === undefined) {
        unreachableSince = now;
        output.err(`cairn: ${error.message}; retrying (the run goes on without this watch)`);
      } else if (now - unreachableSince > (options.unreachableForMs ?? DEFAULT_UNREACHABLE_MS)) {
        throw error;
      }
      await sleep(options.intervalMs, undefined, { signal: options.signal });
      continue;
    }
    const now = Date.now();
    const progress = progressOf(run, now);
    const final = isFinal(run.state);
    if (output.isTTY) {
      const block = progressBlock(run, progress);
      const [first = '', ...rest] = block;
      output.out(`${eraseUp(drawn)}${first}`);
      for (const line of rest) output.out(line);
      drawn = block.length;
    } else {
      for (const line of taskChanges(run, seen, now)) output.out(line);
    }
    if (final) {
      output.out(finalLine(run, progress));
      return run;
    }
    await sleep(options.intervalMs, undefined, { signal: options.signal });
  }
}

/**
 * The exit status of a watched run: 0 when it succeeded, else 1 with a one-line reason on standard error.
 */
export function watchedRunStatus(run: Run, output: Output): number {
  if (run.state === 'SUCCEEDED') return 0;
  output.err(`cairn: error: run ${run.run_id} ${run.state}: ${failureReason(run)}`);
  return 1;
}
