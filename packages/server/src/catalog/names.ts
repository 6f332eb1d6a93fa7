import { CairnError } from '../errors.ts';

/** Names are kept in 255-character columns on every database. */
export const MAX_NAME_LENGTH = 255;

/**
 * A resource's name, trimmed; refused when empty or too long, naming the field. `resource` is said with
 * its article: "an experiment".
 */
export function checkName(resource: string, field: string, value: string | undefined): string {
  const name = value?.trim() ?? '';
  if (name === '') {
    throw new CairnError('NAME_INVALID', `${field} is empty; ${resource} needs a name`);
  }
  if (name.length > MAX_NAME_LENGTH) {
    throw new CairnError(
      'NAME_INVALID',
      `${field} is ${name.length} characters long; ${resource}'s name has at most ${MAX_NAME_LENGTH}`,
    );
  }
  return name;
}
