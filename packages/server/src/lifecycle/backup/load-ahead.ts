/** What `load` made of an item, or why it failed; never a rejected promise, so none goes unhandled. */
export type Loaded<T, R> = { item: T; value: R } | { item: T; error: unknown };

/**
 * Yields `load(item)` for each item of `items`, in order, while pulling items and running loads ahead of
 * the consumer: up to `depth` loads under way or waiting to be taken. A source whose every item costs a
 * round trip (a file-system call, an S3 request) then keeps the consumer busy instead of idle.
 *
 * When the consumer stops early, the loads already made are handed to `discard` (to close their streams).
 */
export async function* loadAhead<T, R>(
  items: AsyncIterable<T>,
  depth: number,
  load: (item: T) => Promise<R>,
  discard: (value: R) => void,
): AsyncGenerator<Loaded<T, R>> {
  const queue: Promise<Loaded<T, R>>[] = [];
  let listed = false;
  let listError: { error: unknown } | undefined;
  let stopped = false;
  /** 1 while the consumer waits for the load it took from the queue. */
  let taking = 0;
  /** Wakes the consumer (an item was queued, or the listing ended) or the pump (there is room). */
  let wakeConsumer: (() => void) | undefined;
  let wakePump: (() => void) | undefined;
  const pump = async () => {
    try {
      for await (const item of items) {
        if (stopped) return;
        queue.push(
          load(item).then(
            (value) => ({ item, value }),
            (error: unknown) => ({ item, error }),
          ),
        );
        wakeConsumer?.();
        while (queue.length + taking >= depth && !stopped) {
          await new Promise<void>((resolve) => (wakePump = resolve));
        }
        if (stopped) return;
      }
    } catch (error) {
      listError = { error };
    } finally {
      listed = true;
      wakeConsumer?.();
    }
  };
  const pumping = pump();
  try {
    for (;;) {
      const next = queue.shift();
      if (next !== undefined) {
        // The load just taken counts until it ends: only then is there room for another.
        taking = 1;
        const loaded = await next;
        taking = 0;
        wakePump?.();
        yield loaded;
        continue;
      }
      if (listed) break;
      await new Promise<void>((resolve) => (wakeConsumer = resolve));
    }
    if (listError !== undefined) throw listError.error;
  } finally {
    stopped = true;
    wakePump?.();
    await pumping;
    for (const loaded of await Promise.all(queue)) if ('value' in loaded) discard(loaded.value);
  }
}
