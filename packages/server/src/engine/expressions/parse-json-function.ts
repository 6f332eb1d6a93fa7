import { CelScalar, celFunc } from '@bufbuild/cel';
import type { JsonValue } from '@cairn/spec';
import { errorMessage } from '../../errors.ts';
import { jsonToCel } from './json-to-cel.ts';

/** KFP's custom CEL function `parseJson(string) -> dyn`, used by the SDK to select loop item fields. */
export const parseJsonFunction = celFunc('parseJson', [CelScalar.STRING], CelScalar.DYN, (text) => {
  let parsed: JsonValue;
  try {
    parsed = JSON.parse(text) as JsonValue;
  } catch (error) {
    // KFP's wording, so messages read the same on both systems.
    throw new Error(`failed to unmarshal JSON: ${errorMessage(error)}`);
  }
  return jsonToCel(parsed);
});
