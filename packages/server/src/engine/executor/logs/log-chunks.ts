/**
 * A running task's log, as the artifact store holds it until the task ends.
 *
 * The store only writes whole objects, so a log that must be readable while it grows is written as chunks:
 * each flush stores the bytes printed since the last one as a new object `<log key>.chunks/<offset>`, named
 * by the zero-padded byte offset where it starts. Rewriting one object on every flush would cost the whole
 * log each time (quadratic, and a full upload per flush on S3); chunks cost only the new bytes. Because
 * names carry offsets, a reader lists the chunks in key order, sees a gap-free sequence from 0 and can
 * start reading at any byte offset. When the task ends, the complete log is stored at the log key and the
 * chunks are deleted (in key order, so a reader that sees a sequence not starting at 0 knows to look for
 * the complete log).
 */

/** Enough digits for any log (10^16 bytes), so that key order is offset order. */
const OFFSET_DIGITS = 16;

/** The prefix of a log's chunk keys. */
export function logChunkPrefix(logKey: string): string {
  return `${logKey}.chunks/`;
}

/** The key of the chunk starting at byte `offset` of the log. */
export function logChunkKey(logKey: string, offset: number): string {
  return `${logChunkPrefix(logKey)}${offset.toString().padStart(OFFSET_DIGITS, '0')}`;
}

/** The byte offset a chunk key names, or undefined for a key that is not a chunk of the log. */
export function logChunkOffset(logKey: string, key: string): number | undefined {
  const prefix = logChunkPrefix(logKey);
  if (!key.startsWith(prefix)) return undefined;
  const digits = key.slice(prefix.length);
  return new RegExp(`^\\d{${OFFSET_DIGITS}}$`).test(digits) ? Number(digits) : undefined;
}
