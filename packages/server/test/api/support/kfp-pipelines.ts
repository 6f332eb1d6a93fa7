/** Compiled KFP pipelines for API tests, as text (for uploads) and as the JSON object the API carries. */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

function fixture(name: string): { text: string; spec: Record<string, unknown> } {
  const text = readFileSync(
    fileURLToPath(new URL(`../../../../../fixtures/kfp/ir/${name}`, import.meta.url)),
    'utf8',
  );
  return { text, spec: parseYaml(text) as Record<string, unknown> };
}

/** One container task, no inputs. */
export const HELLO = fixture('hello_world.yaml');

/** Two required integer parameters, `a` and `b`. */
export const ADD_NUMBERS = fixture('critical/add_numbers.yaml');

/** Two `sh` tasks, the first writing an artifact the second reads; a `text` parameter with a default. */
export const TWO_STEP = fixture('critical/two_step_pipeline_containerized.yaml');

/** A multipart/form-data body with one file part, as KFP's SDK and UI upload a pipeline. */
export function multipartBody(
  field: string,
  fileName: string,
  content: string,
): { payload: string; headers: Record<string, string> } {
  const boundary = `----cairn${randomUUID()}`;
  const payload =
    `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${fileName}"\r\n` +
    `Content-Type: application/x-yaml\r\n\r\n${content}\r\n--${boundary}--\r\n`;
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}
