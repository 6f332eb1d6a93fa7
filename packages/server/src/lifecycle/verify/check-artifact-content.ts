import type { Kysely } from 'kysely';
import type { ArtifactStore } from '../../artifacts/artifact-store.ts';
import { keyInStore } from '../../engine/caching/check-stored-artifact.ts';
import { ARTIFACT_LIVE } from '../../engine/lineage/lineage-vocabulary.ts';
import type { CairnDatabase } from '../../store/tables.ts';
import { forEachConcurrently } from './for-each-concurrently.ts';
import { readStoredContent } from './stored-content.ts';
import type { ProblemList, VerifyStats } from './verify-report.ts';

const PAGE_SIZE = 500;
/** Progress is reported after this many artifacts. */
const PROGRESS_EVERY = 100;

interface ArtifactRow {
  id: string;
  uri: string;
  type: string;
  name: string | null;
  content_sha256: string | null;
  size_bytes: number | null;
}

export interface ArtifactContentOptions {
  readonly hash: boolean;
  readonly concurrency: number;
  readonly onChecked?: (count: number) => void;
}

/**
 * Checks every live artifact row that records stored content (a content digest) against the store: the
 * object at its key, or the objects below `<key>/` for a directory, must be there, with the recorded size
 * and, unless `hash` is off, the recorded SHA-256, computed by reading every byte again. Rows without a
 * digest recorded nothing stored (metadata only, or an imported URI) and have nothing to check. Rows are
 * read a page at a time and `concurrency` artifacts are read at once; an unreachable store rejects.
 */
export async function checkArtifactContent(
  db: Kysely<CairnDatabase>,
  store: ArtifactStore,
  problems: ProblemList,
  stats: VerifyStats,
  options: ArtifactContentOptions,
): Promise<void> {
  // S3 answers a HEAD in a missing bucket with a bare 404, which would read as every object missing; a
  // listing names the real failure.
  for await (const _ of store.list('cairn-verify-probe/')) break;
  const withoutContent = await db
    .selectFrom('artifacts')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('state', '=', ARTIFACT_LIVE)
    .where('content_sha256', 'is', null)
    .executeTakeFirst();
  stats.artifactsWithoutContent = Number(withoutContent?.n ?? 0);
  await forEachConcurrently(artifactsWithContent(db), options.concurrency, async (row) => {
    await checkOne(store, row, problems, stats, options.hash);
    stats.artifactsChecked++;
    if (stats.artifactsChecked % PROGRESS_EVERY === 0) options.onChecked?.(stats.artifactsChecked);
  });
}

async function* artifactsWithContent(db: Kysely<CairnDatabase>): AsyncGenerator<ArtifactRow> {
  let after: string | undefined;
  for (;;) {
    let query = db
      .selectFrom('artifacts')
      .select(['id', 'uri', 'type', 'name', 'content_sha256', 'size_bytes'])
      .where('state', '=', ARTIFACT_LIVE)
      .where('content_sha256', 'is not', null)
      .orderBy('id')
      .limit(PAGE_SIZE);
    if (after !== undefined) query = query.where('id', '>', after);
    const rows = await query.execute();
    yield* rows;
    if (rows.length < PAGE_SIZE) return;
    after = rows.at(-1)?.id;
  }
}

async function checkOne(
  store: ArtifactStore,
  row: ArtifactRow,
  problems: ProblemList,
  stats: VerifyStats,
  hash: boolean,
): Promise<void> {
  const artifact = `artifact ${row.id} (${row.type}${row.name === null ? '' : ` "${row.name}"`})`;
  const key = keyInStore(store, row.uri);
  if (key === undefined) {
    problems.add(
      'artifacts',
      'artifact-outside-store',
      `${artifact} records stored content at ${row.uri}, which is not in the artifact store ${store.url}`,
      { artifactId: row.id },
    );
    return;
  }
  const ids = { artifactId: row.id, objectKey: key };
  const stored = await readStoredContent(store, key, hash);
  if (stored === undefined) {
    problems.add(
      'artifacts',
      'artifact-missing',
      `${artifact}: there is no object at ${key} or below it`,
      ids,
    );
    return;
  }
  stats.objectsHashed += hash ? stored.objects : 0;
  stats.bytesHashed += stored.bytesHashed;
  const where =
    stored.layout === 'file'
      ? `the object at ${key} has`
      : `the ${stored.objects} objects below ${key}/ have`;
  if (row.size_bytes !== null && stored.size !== Number(row.size_bytes)) {
    problems.add(
      'artifacts',
      'artifact-size-mismatch',
      `${artifact}: ${where} ${stored.size} bytes, but ${row.size_bytes} were recorded`,
      ids,
    );
    return;
  }
  if (stored.sha256 !== undefined && stored.sha256 !== row.content_sha256) {
    problems.add(
      'artifacts',
      'artifact-hash-mismatch',
      `${artifact}: ${where} the recorded size but ${stored.layout === 'file' ? '' : 'a manifest of '}SHA-256 ` +
        `${stored.sha256}, not the recorded ${row.content_sha256}`,
      ids,
    );
  }
}
