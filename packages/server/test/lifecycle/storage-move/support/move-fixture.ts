/**
 * Deployments to move, and what a moved deployment must hold.
 *
 * A source holds the sample rows of every table, generated runs whose tasks nest four deep with artifacts
 * in the store (URIs in artifact rows and in task, run and lineage JSON; objects with unicode keys, an
 * empty one and a large one), and a real run of a pipeline driven to its end by a worker.
 *
 * The rows a move must produce are computed here by plain text replacement of the old store's URL by the
 * new one's in the tables that carry artifact URIs: an oracle independent of the move's own rewriting.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { COPY_TABLES } from '../../../../src/lifecycle/rows/copy-tables.ts';
import {
  type MoveOptions,
  type MoveSide,
  type MoveSummary,
  moveStorage,
} from '../../../../src/lifecycle/storage-move/move-storage.ts';
import { connectDatabase } from '../../../../src/store/connect-database.ts';
import type { DialectName } from '../../../../src/store/dialects/store-dialect.ts';
import { Migrator } from '../../../../src/store/migrator/migrator.ts';
import type { DatabaseHandle } from '../../../../src/store/open-database.ts';
import type { CairnDatabase } from '../../../../src/store/tables.ts';
import { createTestDatabase, type TestDatabase } from '../../../support/test-databases.ts';
import {
  dumpObjects,
  dumpTables,
  generatedDeployment,
  type Row,
  SPECIAL_OBJECTS,
  type Tables,
  uuidFor,
} from '../../backup/support/deployment.ts';
import {
  openTestStore,
  runArtifactPipeline,
  type StoreKind,
  seedSampleDeployment,
  type TestStore,
} from '../../verify/support/verify-fixture.ts';

/** Generated runs per source: enough for several batches of tasks (the first batch is small). */
export const RUNS = 40;

export interface Deployment {
  readonly database: TestDatabase;
  readonly handle: DatabaseHandle;
  readonly db: Kysely<CairnDatabase>;
  readonly store: TestStore;
  /** The side as `moveStorage` takes it. */
  readonly side: MoveSide;
  close(): Promise<void>;
}

export interface Snapshot {
  readonly tables: Tables;
  /** Each object's key and SHA-256. */
  readonly objects: Map<string, string>;
}

/** An empty deployment, as an operator creates one to move into: a new database and an empty store. */
export async function emptyDeployment(dialect: DialectName, storeKind: StoreKind): Promise<Deployment> {
  return deploymentOf(await createTestDatabase(dialect), await openTestStore(storeKind));
}

/** A source deployment, as the module comment describes, at the newest schema. */
export async function sourceDeployment(dialect: DialectName, storeKind: StoreKind): Promise<Deployment> {
  const deployment = await deploymentOf(await createTestDatabase(dialect), await openTestStore(storeKind));
  const { db, store } = deployment;
  const outcome = await new Migrator({ db, dialect: deployment.handle.dialect }).migrateTo();
  if (outcome.error) throw outcome.error;
  await seedSampleDeployment(db, store.store);
  const { rows, objects } = generatedDeployment(store.store.url, RUNS);
  for (const table of COPY_TABLES) {
    const list = rows[table.name] ?? [];
    for (let start = 0; start < list.length; start += 200) {
      await db
        .insertInto(table.name)
        .values(list.slice(start, start + 200) as never)
        .execute();
    }
  }
  for (const [key, body] of objects) await store.store.put(key, body);
  await claimSpecialObjects(db, store.store.url);
  await runArtifactPipeline(db, deployment.handle.dialect, store.store);
  return deployment;
}

/**
 * Artifact rows for the objects with special keys and sizes, which the generated rows leave unclaimed:
 * with them the source verifies clean, so the target's verify must be clean too.
 */
async function claimSpecialObjects(db: Kysely<CairnDatabase>, storeUrl: string): Promise<void> {
  const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
  await db
    .insertInto('artifacts')
    .values(
      SPECIAL_OBJECTS.map(({ key, body }) => {
        const uri = `${storeUrl}/${key}`;
        return {
          id: uuidFor(`special ${key}`),
          uri,
          uri_sha256: sha256(uri),
          type: 'system.Artifact',
          name: key.split('/').at(-1) ?? key,
          metadata: '{}',
          content_sha256: sha256(body),
          size_bytes: body.length,
          created_at: 1_700_000_000_000,
          updated_at: 1_700_000_000_000,
        };
      }),
    )
    .execute();
}

async function deploymentOf(database: TestDatabase, store: TestStore): Promise<Deployment> {
  const handle = await connectDatabase(database.location);
  return {
    database,
    handle,
    db: handle.db as Kysely<CairnDatabase>,
    store,
    side: { db: handle.db, dialect: handle.dialect, location: database.location, store: store.store },
    async close() {
      await handle.close();
      await database.drop();
      await store.cleanup();
    },
  };
}

export async function snapshotOf(deployment: Deployment): Promise<Snapshot> {
  return { tables: await dumpTables(deployment.db), objects: await dumpObjects(deployment.store.store) };
}

export function move(
  source: Deployment,
  target: Deployment,
  options: Partial<MoveOptions> = {},
): Promise<MoveSummary> {
  return moveStorage({ source: source.side, target: target.side, ...options });
}

/** The tables that carry artifact URIs, and the columns left as written (pipeline specs keep their digest). */
const URI_TABLES = ['artifacts', 'tasks', 'executions', 'contexts', 'runs', 'recurring_runs'];
const KEPT_COLUMNS = ['pipeline_spec', 'spec'];

/** The rows a move of `source` from the store at `from` to the store at `to` must give. */
export function expectedTables(source: Tables, from: string, to: string): Tables {
  if (from === to) return source;
  const rewrite = (text: string) =>
    text.replaceAll(`"${from}/`, `"${to}/`).replaceAll(`"${from}"`, `"${to}"`);
  const expected: Tables = {};
  for (const [table, rows] of Object.entries(source)) {
    expected[table] = !URI_TABLES.includes(table)
      ? rows
      : rows.map((row) => {
          const moved: Row = {};
          for (const [column, value] of Object.entries(row)) {
            moved[column] =
              typeof value !== 'string' || KEPT_COLUMNS.includes(column)
                ? value
                : value.startsWith(`${from}/`)
                  ? `${to}${value.slice(from.length)}`
                  : rewrite(value);
          }
          if (table === 'artifacts' && moved.uri !== row.uri) {
            moved.uri_sha256 = createHash('sha256').update(String(moved.uri)).digest('hex');
          }
          return moved;
        });
  }
  return expected;
}

/**
 * Asserts that `target` holds exactly what moving `before` (the source as it was) must give: every row
 * of every table (URIs moved to the target's store, as the move named it: `targetUrl`), besides the move's own SUCCEEDED row and the
 * target's verify rows in lifecycle_audit, and every object with its SHA-256.
 */
export async function assertMoved(
  before: Snapshot,
  sourceUrl: string,
  target: Deployment,
  summary: Pick<MoveSummary, 'moveId'>,
  targetUrl = target.store.store.url,
): Promise<void> {
  const moved = await snapshotOf(target);
  const audit = moved.tables.lifecycle_audit ?? [];
  const known = new Set((before.tables.lifecycle_audit ?? []).map((row) => row.id));
  const added = audit.filter((row) => !known.has(row.id));
  const own = added.find((row) => row.id === summary.moveId);
  assert.ok(own, 'the move is recorded in the target');
  assert.equal(own.operation, 'storage-move');
  assert.equal(own.outcome, 'SUCCEEDED');
  assert.deepEqual(
    added.filter((row) => row !== own).map((row) => row.operation),
    ['verify'],
    'besides its own row, the move added its verify of the target',
  );
  moved.tables.lifecycle_audit = audit.filter((row) => known.has(row.id));
  const expected = expectedTables(before.tables, sourceUrl, targetUrl);
  for (const { name } of COPY_TABLES) {
    assert.deepEqual(moved.tables[name], expected[name], `rows of ${name}`);
  }
  assert.deepEqual(moved.objects, before.objects, 'objects and their SHA-256');
}

/** The artifact rows whose URI is under `url`: proof that the rewrite moved them (or kept them). */
export function artifactsUnder(tables: Tables, url: string): number {
  return (tables.artifacts ?? []).filter((row) => String(row.uri).startsWith(`${url}/`)).length;
}
