/**
 * Whether a column value reads back as it was written: not a string with an unpaired surrogate, which
 * no driver stores as it is.
 */
export function storedAsWritten(value: unknown): boolean {
  return typeof value !== 'string' || value.isWellFormed();
}
