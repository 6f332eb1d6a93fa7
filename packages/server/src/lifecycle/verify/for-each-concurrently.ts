/**
 * Calls `fn` on each item of `items`, at most `limit` calls at a time, and resolves when all are done.
 * After the first failure no new call starts; the calls already started finish, then it rejects with
 * that failure, so nothing is left running behind the caller.
 */
export async function forEachConcurrently<T>(
  items: AsyncIterable<T>,
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  const iterator = items[Symbol.asyncIterator]();
  let failure: { error: unknown } | undefined;
  const lane = async (): Promise<void> => {
    while (failure === undefined) {
      // An async generator queues concurrent next() calls, so each item goes to exactly one lane.
      const next = await iterator.next();
      if (next.done) return;
      try {
        await fn(next.value);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  const lanes = Array.from({ length: Math.max(1, limit) }, () =>
    lane().catch((error: unknown) => {
      failure ??= { error };
    }),
  );
  await Promise.all(lanes);
  if (failure !== undefined) {
    await iterator.return?.();
    throw failure.error;
  }
}
