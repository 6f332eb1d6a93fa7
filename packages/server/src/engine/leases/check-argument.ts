/** Rejects a count or duration the lease operations cannot mean (a caller's bug, not a user's error). */
export function checkInteger(name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`${name} must be an integer of at least ${min}, got ${value}`);
  }
}
