/**
 * Freezes an object and everything reachable through its properties, so that a value shared between
 * callers (a compiled spec, a cached plan) fails loudly where one of them would change it for the others.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  for (const member of Object.values(value)) deepFreeze(member);
  return Object.freeze(value);
}
