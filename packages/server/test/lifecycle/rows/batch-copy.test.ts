import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { KyselyPlugin } from 'kysely';
import { insertRows, insertStatements, PARAMETER_LIMITS } from '../../../src/lifecycle/rows/batch-writer.ts';
import { COPY_TABLES } from '../../../src/lifecycle/rows/copy-tables.ts';
import { readBatches } from '../../../src/lifecycle/rows/keyset-reader.ts';
import { neutralRow, type Row } from '../../../src/lifecycle/rows/row-values.ts';
import { createMigratedDatabase, type MigratedDatabase } from '../../support/migrated-database.ts';
import { dialectTargets } from '../../support/test-databases.ts';

describe('insertStatements', () => {
  const rows = (count: number, text = 'x') => Array.from({ length: count }, (_, i) => ({ i, text }));

  test('fills each statement up to the parameter limit, in order', () => {
    const statements = insertStatements(rows(10), 2, { parameters: 7, bytes: 1_000_000 });
    assert.deepEqual(
      statements.map((statement) => statement.length),
      [3, 3, 3, 1],
    );
    assert.deepEqual(
      statements.flat().map((row) => row.i),
      rows(10).map((row) => row.i),
    );
  });

  test('starts a new statement before the bytes would pass the limit; a larger row goes alone', () => {
    const big = { i: 99, text: 'y'.repeat(500) };
    const list = [...rows(3, 'a'.repeat(100)), big, ...rows(2, 'b'.repeat(100))];
    const statements = insertStatements(list, 2, { parameters: 1000, bytes: 250 });
    assert.deepEqual(
      statements.map((statement) => statement.length),
      [2, 1, 1, 2],
    );
    assert.equal(statements[2]?.[0], big);
  });
});

const RUN_ID = '6a0c4ad4-3c6e-4f8e-9d5e-2f1b7c9a0e11';
const TASKS = 2500;

function uuid(label: string): string {
  const hex = createHash('sha256').update(label).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** A run's tasks, parents before children by path but not by id: ids are random. */
function taskRows(): Row[] {
  const rows: Row[] = [];
  const add = (path: string, parent: string | null) =>
    rows.push({
      id: uuid(path),
      run_id: RUN_ID,
      parent_task_id: parent === null ? null : uuid(parent),
      path,
      name: path.split('/').at(-1) ?? path,
      display_name: null,
      kind: 'CONTAINER',
      iteration_index: null,
      state: 'SUCCEEDED',
      attempt: 1,
      max_attempts: 3,
      lost_attempts: 0,
      inputs: JSON.stringify({ parameters: { path } }),
      outputs: null,
      error: null,
      cache_fingerprint: null,
      cached_from_task_id: null,
      lease_token: null,
      lease_owner: null,
      lease_expires_at: null,
      heartbeat_at: null,
      ready_at: 1_790_000_000_000,
      created_at: 1_790_000_000_000 + rows.length,
      started_at: null,
      finished_at: null,
      updated_at: 1_790_000_000_001,
    });
  add('root', null);
  for (let i = 0; rows.length < TASKS; i++) {
    const parent = `root/p${String(i).padStart(4, '0')}`;
    add(parent, 'root');
    if (rows.length < TASKS) add(`${parent}/child`, parent);
  }
  return rows;
}

function byPath(rows: Row[]): Row[] {
  return [...rows].sort((a, b) => (String(a.path) < String(b.path) ? -1 : 1));
}

for (const { dialect, skip } of await dialectTargets()) {
  describe(`batched copy of rows on ${dialect}`, { skip }, () => {
    let database: MigratedDatabase;
    const tasks = COPY_TABLES.find((table) => table.name === 'tasks');
    const rows = taskRows();
    let inserts = 0;
    const countInserts: KyselyPlugin = {
      transformQuery: ({ node }) => {
        if (node.kind === 'InsertQueryNode') inserts++;
        return node;
      },
      transformResult: async ({ result }) => result,
    };

    before(async () => {
      database = await createMigratedDatabase(dialect);
      await database.db
        .insertInto('runs')
        .values({
          id: RUN_ID,
          display_name: 'r',
          runtime_config: '{}',
          state: 'RUNNING',
          created_at: 1,
          updated_at: 1,
        })
        .execute();
    });
    after(() => database?.close());

    test('a batch larger than the parameter limit goes in as several INSERTs, parents first', async () => {
      const db = database.handle.db.withPlugin(countInserts);
      await db.transaction().execute((trx) => insertRows(trx, dialect, 'tasks', rows));
      const perStatement = Math.floor(PARAMETER_LIMITS[dialect] / Object.keys(rows[0] ?? {}).length);
      assert.equal(inserts, Math.ceil(TASKS / perStatement));
      const stored = await database.db.selectFrom('tasks').selectAll().execute();
      assert.deepEqual(byPath(stored.map((row) => neutralRow('tasks', row))), byPath(rows));
    });

    test('reads every row back in key order, in batches within the limits', async () => {
      assert.ok(tasks);
      const batches: Row[][] = [];
      for await (const batch of readBatches(database.handle.db, tasks, {
        limits: { maxRows: 700, maxBytes: 1_000_000 },
      })) {
        batches.push(batch);
      }
      assert.deepEqual(
        batches.map((batch) => batch.length),
        [16, 700, 700, 700, 384],
      );
      assert.deepEqual(batches.flat(), byPath(rows));
      for (const row of batches.flat()) assert.equal(typeof row.created_at, 'number');
    });

    test('a batch holds about maxBytes of values', async () => {
      assert.ok(tasks);
      const sizes: number[] = [];
      for await (const batch of readBatches(database.handle.db, tasks, {
        limits: { maxRows: 5000, maxBytes: 40_000 },
      })) {
        sizes.push(batch.length);
      }
      assert.equal(
        sizes.reduce((sum, size) => sum + size),
        TASKS,
      );
      // Each row holds about 350 bytes of values.
      assert.ok(
        sizes.slice(1, -1).every((size) => size > 80 && size < 140),
        `batch sizes ${sizes.join()}`,
      );
    });

    test('resumes after any row', async () => {
      assert.ok(tasks);
      const expected = byPath(rows);
      const rest: Row[] = [];
      for await (const batch of readBatches(database.handle.db, tasks, { after: expected[999] })) {
        rest.push(...batch);
      }
      assert.deepEqual(rest, expected.slice(1000));
    });
  });
}
