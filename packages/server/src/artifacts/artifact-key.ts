/**
 * Artifact keys: `/`-separated paths relative to the store root (the pipeline root).
 *
 * The same key must address the same object on every backend, so the rules are the intersection of
 * what S3 and a POSIX file system accept, minus anything that could escape the root.
 */
import { CairnError } from '../errors.ts';

/** S3's limit on object key length. */
const MAX_KEY_BYTES = 1024;
/** The usual file-system limit on one path component (NAME_MAX). */
const MAX_SEGMENT_BYTES = 255;
/** First segments starting with this are reserved for the store's own files (such as temp files). */
export const RESERVED_SEGMENT_PREFIX = '.cairn-';

const EXPECTED_KEY = 'expected a relative path of "/"-separated names, such as "pipeline/run-id/task/output"';

/** Why `key` is not a valid key, phrased to follow "it", or undefined when it is valid. */
function keyProblem(key: string, allowTrailingSlash: boolean): string | undefined {
  if (key === '') return 'is empty';
  const bytes = Buffer.byteLength(key, 'utf8');
  if (bytes > MAX_KEY_BYTES) {
    return `is ${bytes} bytes long in UTF-8; expected at most ${MAX_KEY_BYTES} bytes`;
  }
  const characters = characterProblem(key);
  if (characters !== undefined) return characters;
  if (key.startsWith('/')) return 'is absolute (starts with "/"); expected a path relative to the store root';
  if (key.includes('//')) return 'contains an empty segment ("//"); expected a name between every two "/"';
  if (key.endsWith('/') && !allowTrailingSlash) {
    return 'ends with "/"; expected the name of an object, not of a directory';
  }
  const segments = key.split('/');
  if (segments.at(-1) === '') segments.pop();
  for (const [index, segment] of segments.entries()) {
    const problem = index === 0 ? firstSegmentProblem(segment) : segmentProblem(segment);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

/** Rejects what a file system or an S3 client would mangle or interpret. */
function characterProblem(value: string): string | undefined {
  const control = /\p{Cc}/u.exec(value);
  if (control !== null) {
    const codePoint = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    return `contains the control character U+${codePoint} at index ${control.index}; expected printable characters only`;
  }
  const backslash = value.indexOf('\\');
  if (backslash !== -1) {
    return `contains a backslash at index ${backslash}; expected "/" as the only separator`;
  }
  if (!value.isWellFormed()) return 'contains an unpaired UTF-16 surrogate; expected valid Unicode text';
  return undefined;
}

function segmentProblem(segment: string): string | undefined {
  if (segment === '.' || segment === '..') {
    return `contains a "${segment}" segment; expected names only, without relative path segments`;
  }
  const bytes = Buffer.byteLength(segment, 'utf8');
  if (bytes > MAX_SEGMENT_BYTES) {
    return `contains a segment of ${bytes} bytes in UTF-8; expected at most ${MAX_SEGMENT_BYTES} bytes between "/"`;
  }
  return undefined;
}

function firstSegmentProblem(segment: string): string | undefined {
  if (/^[a-z]:/i.test(segment)) {
    return `starts with the Windows drive "${segment.slice(0, 2)}"; expected a path relative to the store root`;
  }
  // Case-insensitive so that ".CAIRN-TMP" cannot alias the temp directory on case-insensitive file systems.
  if (segment.toLowerCase().startsWith(RESERVED_SEGMENT_PREFIX)) {
    return `starts with "${RESERVED_SEGMENT_PREFIX}", which is reserved for the store's own files; expected another first segment`;
  }
  return segmentProblem(segment);
}

/** Quotes a value for an error message, shortening keys long enough to drown the message. */
function quote(value: string): string {
  return value.length > 100 ? `${JSON.stringify(value.slice(0, 100)).slice(0, -1)}…"` : JSON.stringify(value);
}

function invalid(subject: string, value: string, problem: string): CairnError {
  const expectation = problem.includes('; expected') ? '' : `; ${EXPECTED_KEY}`;
  return new CairnError(
    'ARTIFACT_KEY_INVALID',
    `${subject} ${quote(value)} is invalid: it ${problem}${expectation}`,
  );
}

/**
 * Returns `key` unchanged when it is a valid artifact key; throws CairnError ARTIFACT_KEY_INVALID otherwise.
 *
 * A valid key is 1 to 1024 UTF-8 bytes of printable, well-formed text: names of at most 255 bytes joined
 * by single `/`, none of them `.` or `..`, no backslash, not starting with `/` or a Windows drive, not
 * ending with `/`, and a first name that does not start with `.cairn-`.
 */
export function validateArtifactKey(key: string): string {
  const problem = keyProblem(key, false);
  if (problem !== undefined) throw invalid('artifact key', key, problem);
  return key;
}

/**
 * Returns `prefix` unchanged when it can select keys in `list()`; throws ARTIFACT_KEY_INVALID otherwise.
 * The empty prefix selects everything; otherwise the key rules apply, except that a trailing `/` is allowed.
 */
export function validateKeyPrefix(prefix: string): string {
  if (prefix === '') return prefix;
  const problem = keyProblem(prefix, true);
  if (problem !== undefined) throw invalid('artifact key prefix', prefix, problem);
  return prefix;
}

/** Names a task's output, as the parts of its key. */
export interface OutputArtifactParts {
  pipelineName: string;
  runId: string;
  taskName: string;
  outputName: string;
}

/**
 * The key of a task's output in KFP's layout, `<pipeline>/<run-id>/<task>/<output>`, relative to the
 * pipeline root. Each part must be one valid key segment; an invalid part throws ARTIFACT_KEY_INVALID
 * naming that part.
 */
export function outputArtifactKey(parts: OutputArtifactParts): string {
  const { pipelineName, runId, taskName, outputName } = parts;
  const named = Object.entries({ pipelineName, runId, taskName, outputName });
  for (const [index, [name, part]] of named.entries()) {
    const problem = partProblem(part, index === 0);
    if (problem !== undefined) throw invalid(name, part, problem);
  }
  return [pipelineName, runId, taskName, outputName].join('/');
}

function partProblem(part: string, first: boolean): string | undefined {
  if (part === '') return 'is empty; expected one name of the layout <pipeline>/<run-id>/<task>/<output>';
  if (part.includes('/')) {
    return 'contains "/"; expected one name of the layout <pipeline>/<run-id>/<task>/<output>';
  }
  return characterProblem(part) ?? (first ? firstSegmentProblem(part) : segmentProblem(part));
}
