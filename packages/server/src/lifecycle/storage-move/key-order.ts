/**
 * Compares artifact keys as the stores list them: in UTF-8 byte order (S3's order, which the filesystem
 * store follows). JavaScript's `<` compares UTF-16 code units, which order keys differently once they hold
 * characters beyond U+FFFF.
 */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
