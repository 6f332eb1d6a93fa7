/**
 * Artifact URIs name the store they are in: an output's URI is `<pipeline root>/<key>`, and the pipeline
 * root defaults to the artifact store's URL (`file:///srv/cairn/artifacts/...`, `s3://bucket/prefix?...`).
 * Cairn finds an artifact's object by cutting its store's URL off the URI, so after a restore onto another
 * store, URIs under the old store's URL would point nowhere: the artifact API could not serve them and
 * cache hits would be refused. A restore therefore rewrites them to the new store's URL. URIs outside the
 * old store (imported artifacts, other pipeline roots) are left alone: their objects were never in it.
 */
import { createHash } from 'node:crypto';
import type { Row } from '../rows/row-values.ts';

export interface UriRewrite {
  /** The old store's URL without a trailing `/`. */
  readonly from: string;
  readonly to: string;
}

/**
 * The columns that hold artifact URIs: the artifact's own URI (whose digest is kept beside it), and the
 * JSON documents that carry them (task inputs and outputs, run configurations with a pipeline root,
 * lineage metadata). Pipeline specs are not rewritten: their digests must keep matching their text.
 */
const URI_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  artifacts: ['metadata'],
  tasks: ['inputs', 'outputs'],
  executions: ['metadata'],
  contexts: ['metadata'],
  runs: ['runtime_config'],
  recurring_runs: ['runtime_config'],
};

/**
 * The rewrite from one store to another, or undefined when there is nothing to rewrite (the same store)
 * or it cannot be done safely inside JSON text (a URL with characters JSON escapes, which store URLs,
 * being percent-encoded, do not have).
 */
export function uriRewrite(sourceStoreUrl: string, targetStoreUrl: string): UriRewrite | undefined {
  const from = sourceStoreUrl.replace(/\/+$/, '');
  const to = targetStoreUrl.replace(/\/+$/, '');
  if (from === to || !jsonSafe(from) || !jsonSafe(to)) return undefined;
  return { from, to };
}

function jsonSafe(url: string): boolean {
  return JSON.stringify(url) === `"${url}"`;
}

/** The row with the URIs under `rewrite.from` moved under `rewrite.to`; the row itself when none are. */
export function rewriteRow(table: string, row: Row, rewrite: UriRewrite): Row {
  let copy: Row | undefined;
  if (table === 'artifacts' && typeof row.uri === 'string' && row.uri.startsWith(`${rewrite.from}/`)) {
    const uri = `${rewrite.to}${row.uri.slice(rewrite.from.length)}`;
    copy = { ...row, uri, uri_sha256: createHash('sha256').update(uri).digest('hex') };
  }
  for (const column of URI_COLUMNS[table] ?? []) {
    const text = row[column];
    if (typeof text !== 'string' || !text.includes(rewrite.from)) continue;
    copy ??= { ...row };
    copy[column] = rewriteJsonText(text, rewrite);
  }
  return copy ?? row;
}

/**
 * Rewrites the JSON strings that are the old store's URL or start with it followed by `/`: matched from
 * the opening quote, so a URL merely mentioned inside a longer string is left as written.
 */
function rewriteJsonText(text: string, { from, to }: UriRewrite): string {
  return text.replaceAll(`"${from}/`, `"${to}/`).replaceAll(`"${from}"`, `"${to}"`);
}
