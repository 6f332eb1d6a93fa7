import { CairnError } from '../../errors.ts';

export function listInvalid(message: string): CairnError {
  return new CairnError('LIST_INVALID', message);
}

const QUOTED_MAX = 200;

/** A client's value for a message: JSON-quoted, and cut short so a huge parameter cannot flood a log line. */
export function quote(value: unknown): string {
  const text = value === undefined || typeof value === 'number' ? String(value) : JSON.stringify(value);
  return text.length > QUOTED_MAX ? `${text.slice(0, QUOTED_MAX)}…` : text;
}
