// The loader a move writes its batches with: COPY on PostgreSQL, multi-row INSERTs elsewhere. Whichever it
// is, the rows read back are the rows given, and they commit or roll back with the transaction's other
// writes.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { COPY_TABLES } from '../../../src/lifecycle/rows/copy-tables.ts';
import { readBatches } from '../../../src/lifecycle/rows/keyset-reader.ts';
import { openRowLoader, type RowLoader } from '../../../src/lifecycle/rows/row-loader.ts';
import type { Row } from '../../../src/lifecycle/rows/row-values.ts';
import type { AnyDb } from '../../../src/store/dialects/store-dialect.ts';
import { CAIRN_TABLES, type ColumnFacts } from '../../../src/store/tables.ts';
import { createMigratedDatabase, type MigratedDatabase } from '../../support/migrated-database.ts';
import { dialectTargets } from '../../support/test-databases.ts';

type TableName = keyof typeof CAIRN_TABLES;

/** A row with every column of `table`: those not given are null (and must be nullable). */
function full(table: TableName, values: Row): Row {
  const columns = CAIRN_TABLES[table] as Record<string, ColumnFacts>;
  const row: Row = {};
  for (const [column, facts] of Object.entries(columns)) {
    const value = values[column] ?? null;
    if (value === null && !facts.nullable) throw new Error(`the test gives no ${table}.${column}`);
    row[column] = value;
  }
  return row;
}

const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const sha = (n: number) => String(n).repeat(64).slice(0, 64);

/** Text that means something to COPY's text format, or to SQL, or is far from ASCII. */
const TRICKY = [
  '',
  ' ',
  '\\N',
  '\\\\N',
  'N',
  '\\.',
  '\\',
  'ends with a backslash\\',
  'a\tb',
  'line\nbreak',
  'carriage\rreturn\r\n',
  '\\t is not a tab',
  'quote \' and " and `',
  '日本語のテキスト',
  'emoji 🚀🧪 and e\u0301 combined',
  'separators \u2028\u2029 and \u00a0',
  'control \b\f\v\u0001',
  '   trailing spaces   ',
];

const LARGE_JSON = JSON.stringify({
  parameters: Object.fromEntries(
    Array.from({ length: 20_000 }, (_, i) => [`p${i}`, { text: TRICKY[i % TRICKY.length], n: i }]),
  ),
});
const LARGE_TEXT = Array.from({ length: 60_000 }, (_, i) => `${i}\t${TRICKY[i % TRICKY.length]}`).join('\n');

const RUN: Row = full('runs', {
  id: uuid(1),
  namespace: 'default',
  display_name: TRICKY.join('|'),
  description: TRICKY.join('\n'),
  pipeline_spec: LARGE_TEXT,
  runtime_config: LARGE_JSON,
  service_account: '',
  state: 'SUCCEEDED',
  error: '\\N',
  storage_state: 'AVAILABLE',
  created_at: 0,
  scheduled_at: 1_790_000_000_000,
  finished_at: Number.MAX_SAFE_INTEGER,
  updated_at: 1,
});

/** A task per tricky text, each one the parent of the next: a batch must go in in its order. */
const TASKS: Row[] = TRICKY.map((text, i) =>
  full('tasks', {
    id: uuid(100 + i),
    run_id: uuid(1),
    parent_task_id: i === 0 ? null : uuid(100 + i - 1),
    path: `root${'/t'.repeat(i)}`,
    name: text,
    display_name: i % 2 === 0 ? text : null,
    kind: 'CONTAINER',
    iteration_index: i % 3 === 0 ? null : i - 5,
    state: 'SUCCEEDED',
    attempt: 0,
    max_attempts: 2_147_483_647,
    lost_attempts: i,
    inputs: JSON.stringify({ text, nested: { text } }),
    outputs: text,
    error: `${text}\n${text}`,
    cache_fingerprint: i % 2 === 0 ? sha(i) : null,
    ready_at: i,
    created_at: 1_790_000_000_000 + i,
    updated_at: Number.MAX_SAFE_INTEGER - i,
  }),
);

const RECURRING: Row = full('recurring_runs', {
  id: uuid(2),
  namespace: '',
  display_name: 'nightly',
  runtime_config: '{}',
  trigger_kind: 'INTERVAL',
  interval_seconds: 86_400,
  max_concurrency: 1,
  catchup: 0,
  enabled: 1,
  created_at: 1,
  updated_at: 2,
});

const ARTIFACTS: Row[] = [0, 1, Number.MAX_SAFE_INTEGER].map((size, i) =>
  full('artifacts', {
    id: uuid(10 + i),
    uri: `file:///tmp/${TRICKY[i + 8]}`,
    uri_sha256: sha(i),
    type: 'system.Model',
    metadata: i === 0 ? LARGE_JSON : i === 1 ? '' : null,
    size_bytes: size,
    state: 'LIVE',
    created_at: i,
    updated_at: i,
  }),
);

/** Every row of `table`, in its copy order, as a move reads them. */
async function readAll(db: AnyDb, name: TableName): Promise<Row[]> {
  const table = COPY_TABLES.find((candidate) => candidate.name === name);
  assert.ok(table);
  const rows: Row[] = [];
  for await (const batch of readBatches(db, table)) rows.push(...batch);
  return rows;
}

async function count(db: AnyDb, table: TableName): Promise<number> {
  const { rows } = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)}`.execute(
    db,
  );
  return Number(rows[0]?.n);
}

for (const { dialect, skip } of await dialectTargets()) {
  describe(`the row loader on ${dialect}`, { skip }, () => {
    let database: MigratedDatabase;
    let loader: RowLoader;

    before(async () => {
      database = await createMigratedDatabase(dialect);
      loader = openRowLoader(database.handle.db, database.database.location);
    });
    after(async () => {
      await loader?.close();
      await database?.close();
    });

    test('puts every value in as given: text that means something to COPY, unicode, large, numbers', async () => {
      const sent: string[] = [];
      await loader.transaction(async (_trx, load) => {
        for (const [table, rows] of [
          ['runs', [RUN]],
          ['tasks', TASKS],
          ['recurring_runs', [RECURRING]],
          ['artifacts', ARTIFACTS],
        ] as const) {
          await load(table, rows, () => sent.push(table));
        }
      });
      assert.deepEqual(sent, ['runs', 'tasks', 'recurring_runs', 'artifacts'], 'each load said it was sent');
      const { db } = database.handle;
      assert.deepEqual(await readAll(db, 'runs'), [RUN]);
      assert.deepEqual(await readAll(db, 'tasks'), TASKS);
      assert.deepEqual(await readAll(db, 'recurring_runs'), [RECURRING]);
      assert.deepEqual(await readAll(db, 'artifacts'), ARTIFACTS);
    });

    test('the rows commit and roll back with the transaction, and it sees them', async () => {
      const row = (n: number) => full('contexts', { id: uuid(n), type: 't', name: `c${n}`, created_at: n });
      await assert.rejects(
        loader.transaction(async (trx, load) => {
          await load('contexts', [row(1000), row(1001)]);
          assert.equal(await count(trx, 'contexts'), 2);
          await trx.updateTable('runs').set({ display_name: 'renamed' }).execute();
          throw new Error('given up');
        }),
        /given up/,
      );
      const { db } = database.handle;
      assert.equal(await count(db, 'contexts'), 0);
      assert.deepEqual(await readAll(db, 'runs'), [RUN]);

      await loader.transaction(async (trx, load) => {
        await load('contexts', [row(1000)]);
        await trx.updateTable('runs').set({ display_name: 'renamed' }).execute();
      });
      assert.deepEqual(await readAll(db, 'contexts'), [row(1000)]);
      assert.deepEqual(await readAll(db, 'runs'), [{ ...RUN, display_name: 'renamed' }]);
    });

    test("a load the database refuses fails its transaction with the database's reason", async () => {
      const orphan = full('events', {
        id: uuid(2000),
        execution_id: uuid(2001),
        artifact_id: uuid(10),
        kind: 'INPUT',
        name: 'in',
        list_index: 0,
        created_at: 1,
      });
      await assert.rejects(
        loader.transaction(async (_trx, load) => {
          await load('events', [orphan]);
        }),
        /foreign key/i,
      );
      const duplicate = { ...ARTIFACTS[0], uri_sha256: sha(9) } as Row;
      await assert.rejects(
        loader.transaction(async (trx, load) => {
          await trx.deleteFrom('contexts').execute();
          await load('artifacts', [duplicate]);
        }),
        /duplicate|unique/i,
      );
      assert.equal(await count(database.handle.db, 'contexts'), 1, 'the transaction was rolled back');
      // The loader goes on: a move retries on the same one after nothing.
      const row = full('contexts', { id: uuid(1001), type: 't', name: 'after', created_at: 1 });
      await loader.transaction((_trx, load) => load('contexts', [row]));
      assert.equal(await count(database.handle.db, 'contexts'), 2);
    });

    test('a load of no rows does nothing', async () => {
      let sent = 0;
      await loader.transaction((_trx, load) => load('pipelines', [], () => sent++));
      assert.equal(sent, 1);
      assert.equal(await count(database.handle.db, 'pipelines'), 0);
    });
  });
}
