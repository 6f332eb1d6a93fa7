// SQLite's own JSON lines must be the neutral rows the generic reader makes, value for value, and
// anything SQLite would write differently must come out as the generic path has it (or fail as it does).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { COPY_TABLES } from '../../../src/lifecycle/rows/copy-tables.ts';
import { readBatches } from '../../../src/lifecycle/rows/keyset-reader.ts';
import type { Row } from '../../../src/lifecycle/rows/row-values.ts';
import { lastInOrder, sqliteJsonLines } from '../../../src/lifecycle/rows/sqlite-json-lines.ts';
import { LATEST_SCHEMA_VERSION } from '../../../src/store/migrations/index.ts';
import { createMigratedDatabase, type MigratedDatabase } from '../../support/migrated-database.ts';
import { insertSampleRows } from '../../support/sample-rows.ts';

const AUDIT_ROWS = 3000;
const TEXT = 'tab\tnewline\ncr\rbs\bff\fvt\vnul-free \u0001 quote" backslash\\ slash/ 日本語 🚀 \u2028';

async function lines(
  database: MigratedDatabase,
  table: string,
): Promise<{ rows: Row[]; batches: number; converted: number }> {
  const rows: Row[] = [];
  let batches = 0;
  let converted = 0;
  for await (const batch of sqliteJsonLines(database.db, table)) {
    batches++;
    if (batch.converted) converted++;
    const text = Buffer.from(batch.bytes).toString('utf8');
    const parsed = text
      .split('\n')
      .slice(0, -1)
      .map((line) => JSON.parse(line) as Row);
    assert.equal(parsed.length, batch.rows);
    assert.ok(text.endsWith('\n'));
    rows.push(...parsed);
  }
  return { rows, batches, converted };
}

async function neutral(database: MigratedDatabase, table: string): Promise<Row[]> {
  const copyTable = COPY_TABLES.find((candidate) => candidate.name === table);
  assert.ok(copyTable);
  const rows: Row[] = [];
  for await (const batch of readBatches(database.db, copyTable)) rows.push(...batch);
  return rows;
}

const byJson = (rows: readonly Row[]) => rows.map((row) => JSON.stringify(row)).sort();

describe("a SQLite table's rows as JSON lines", () => {
  let database: MigratedDatabase;
  before(async () => {
    database = await createMigratedDatabase('sqlite');
    for (let version = 1; version <= LATEST_SCHEMA_VERSION; version++)
      await insertSampleRows(database.db, version);
    await database.db.updateTable('pipelines').set({ description: TEXT }).execute();
    const now = Date.now();
    for (let start = 0; start < AUDIT_ROWS; start += 500) {
      await database.db
        .insertInto('lifecycle_audit')
        .values(
          Array.from({ length: 500 }, (_, index) => ({
            id: randomUUID(),
            operation: 'verify',
            actor: start + index === 7 ? TEXT : null,
            from_version: null,
            to_version: '0.4.0',
            outcome: 'SUCCEEDED',
            details: JSON.stringify({ padding: 'x'.repeat((start + index) % 900) }),
            started_at: now + start + index,
            finished_at: start + index === 9 ? null : now,
          })),
        )
        .execute();
    }
  });
  after(() => database?.close());

  test('are the neutral rows of every table, in batches sized by their length', async () => {
    for (const table of COPY_TABLES) {
      const { rows, batches, converted } = await lines(database, table.name);
      assert.deepEqual(byJson(rows), byJson(await neutral(database, table.name)), table.name);
      assert.equal(converted, 0, `${table.name}: SQLite wrote every line`);
      if (table.name === 'lifecycle_audit') {
        assert.ok(rows.length > AUDIT_ROWS);
        assert.ok(batches > 1, 'more than one batch');
      }
    }
  });

  test('come in the order the rows were inserted', async () => {
    const { rows } = await lines(database, 'lifecycle_audit');
    const started = rows.map((row) => Number(row.started_at));
    assert.deepEqual(
      started,
      started.toSorted((a, b) => a - b),
    );
  });

  test('convert what SQLite would write otherwise as the neutral form has it', async () => {
    const [task] = await database.db.selectFrom('tasks').select(['id', 'attempt']).limit(1).execute();
    assert.ok(task);
    // Text in a number column, a blob in a text column: SQLite keeps what it is given.
    await sql`update tasks set attempt = ${String(task.attempt)} || '' where id = ${task.id}`.execute(
      database.db,
    );
    await sql`update tasks set name = cast('blob name' as blob) where id = ${task.id}`.execute(database.db);
    const read = await lines(database, 'tasks');
    assert.deepEqual(byJson(read.rows), byJson(await neutral(database, 'tasks')));
    assert.ok(read.converted > 0);
    const [converted] = (await lines(database, 'tasks')).rows.filter((row) => row.id === task.id);
    assert.equal(converted?.attempt, task.attempt);
    assert.equal(converted?.name, 'blob name');
  });

  test('refuse text and reals in a number column, as the generic reader does', async () => {
    const [task] = await database.db.selectFrom('tasks').select(['id', 'attempt']).limit(1).execute();
    assert.ok(task);
    for (const value of ['three', 1.5]) {
      await sql`update tasks set attempt = ${value} where id = ${task.id}`.execute(database.db);
      const refused = new RegExp(`tasks\\.attempt holds ${value}`);
      await assert.rejects(neutral(database, 'tasks'), refused);
      await assert.rejects(lines(database, 'tasks'), refused);
    }
    await sql`update tasks set attempt = ${task.attempt} where id = ${task.id}`.execute(database.db);
  });

  test('refuse an integer a JS number would not keep, as the generic reader does', async () => {
    const [run] = await database.db.selectFrom('runs').select('id').limit(1).execute();
    assert.ok(run);
    await sql`update runs set created_at = 9007199254740993 where id = ${run.id}`.execute(database.db);
    // node:sqlite refuses to read it as a number, on either path.
    const tooLarge = /9007199254740993/;
    await assert.rejects(neutral(database, 'runs'), tooLarge);
    await assert.rejects(lines(database, 'runs'), tooLarge);
  });
});

test('a batch is used as SQLite joined it only when its rowids came in order', () => {
  assert.equal(lastInOrder({ positions: '3,7,12' }), 12);
  assert.equal(lastInOrder({ positions: '-5' }), -5);
  assert.equal(lastInOrder({ positions: null }), Number.MIN_SAFE_INTEGER);
  assert.equal(lastInOrder({ positions: '3,12,7' }), undefined);
  assert.equal(lastInOrder({ positions: '3,3' }), undefined);
});
