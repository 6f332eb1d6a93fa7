/**
 * Keeps `IN (...)` lists well below every database's limit on bound parameters (SQLite's is the lowest),
 * however many ids a query is given.
 */
const CHUNK = 500;

/** Runs `query` on slices of `ids` and concatenates the rows. */
export async function inChunks<T>(
  ids: readonly string[],
  query: (chunk: string[]) => Promise<T[]>,
): Promise<T[]> {
  const rows: T[] = [];
  for (let start = 0; start < ids.length; start += CHUNK) {
    rows.push(...(await query(ids.slice(start, start + CHUNK))));
  }
  return rows;
}
