/** Timing helpers: latency samples of a repeated step, and throughput of concurrent clients. */

export interface Latency {
  readonly samples: number;
  /** Milliseconds. */
  readonly p50: number;
  readonly p99: number;
}

/** Nearest-rank percentile of ascending samples. */
function percentile(sorted: readonly number[], fraction: number): number {
  const rank = Math.max(1, Math.ceil(fraction * sorted.length));
  return sorted[rank - 1] ?? Number.NaN;
}

export function summarize(durations: readonly number[]): Latency {
  const sorted = [...durations].sort((left, right) => left - right);
  return { samples: sorted.length, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) };
}

/** Runs `step` `warmup` times untimed, then `samples` times one after another, timing each call. */
export async function sampleLatency(
  step: () => Promise<unknown>,
  { samples, warmup }: { samples: number; warmup: number },
): Promise<Latency> {
  for (let index = 0; index < warmup; index++) await step();
  const durations: number[] = [];
  for (let index = 0; index < samples; index++) {
    const started = performance.now();
    await step();
    durations.push(performance.now() - started);
  }
  return summarize(durations);
}

export interface Throughput {
  readonly perSecond: number;
  readonly completed: number;
  /** Of each call, milliseconds. */
  readonly latency: Latency;
}

/**
 * `clients` loops calling `call` back to back for `seconds` (after `warmup` untimed calls in all); the
 * rate is the calls completed over the time until the last one returned.
 */
export async function measureThroughput(
  call: (index: number) => Promise<unknown>,
  { clients, seconds, warmup }: { clients: number; seconds: number; warmup: number },
): Promise<Throughput> {
  let next = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < warmup) await call(next++);
    }),
  );
  const durations: number[] = [];
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < deadline) {
        const callStarted = performance.now();
        await call(next++);
        durations.push(performance.now() - callStarted);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return {
    perSecond: durations.length / elapsed,
    completed: durations.length,
    latency: summarize(durations),
  };
}
