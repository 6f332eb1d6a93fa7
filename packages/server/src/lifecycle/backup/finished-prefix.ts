/**
 * Runs `fn` on items `from` to `count - 1`, up to `concurrency` at once, and calls `onPrefix` with the
 * number of leading items finished (every item before it done) whenever that grows: the point a rerun
 * may resume from, though later items may be done too. Stops taking items at the first failure, waits for
 * the ones under way, and rejects with that failure.
 */
export async function forEachKeepingPrefix(
  from: number,
  count: number,
  concurrency: number,
  fn: (index: number) => Promise<void>,
  onPrefix: (finished: number) => Promise<void>,
): Promise<void> {
  let next = from;
  let prefix = from;
  const finished = new Set<number>();
  let failure: { error: unknown } | undefined;
  const lane = async () => {
    while (failure === undefined && next < count) {
      const index = next++;
      try {
        await fn(index);
        finished.add(index);
        const before = prefix;
        while (finished.delete(prefix)) prefix++;
        if (prefix > before) await onPrefix(prefix);
      } catch (error) {
        failure ??= { error };
        return;
      }
    }
  };
  const lanes = Array.from({ length: Math.max(1, Math.min(concurrency, count - from)) }, lane);
  await Promise.allSettled(lanes);
  if (failure !== undefined) throw failure.error;
}
