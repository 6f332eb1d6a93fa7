import { type CelValue, celType } from '@bufbuild/cel';
import type { JsonValue } from '@cairn/spec';
import { celToJson } from './cel-to-json.ts';

const PREVIEW_LIMIT = 80;

/** A value as an error message shows it: JSON, cut short so a large list cannot flood a log line. */
export function previewJson(value: JsonValue): string {
  const text = JSON.stringify(value);
  return text.length <= PREVIEW_LIMIT ? text : `${text.slice(0, PREVIEW_LIMIT - 1)}…`;
}

/** A CEL value with its CEL type, such as `3 (int)`. */
export function describeCelValue(value: CelValue): string {
  const type = celType(value).name;
  try {
    return `${previewJson(celToJson(value))} (${type})`;
  } catch {
    return `a value of type ${type}`;
  }
}
