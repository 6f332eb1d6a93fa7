import { CairnError } from '../../errors.ts';

/** A move that does not start (or resume): the target or the source is not one it can move. */
export function moveRefused(message: string): CairnError {
  return new CairnError('STORAGE_MOVE_REFUSED', message);
}

/** A move that stopped because the source and the target disagree, or the target's verify found problems. */
export function moveFailed(message: string): CairnError {
  return new CairnError('STORAGE_MOVE_FAILED', message);
}
