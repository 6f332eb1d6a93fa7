import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { COPY_TABLES } from '../../../src/lifecycle/rows/copy-tables.ts';
import type { AnyDb, DialectName } from '../../../src/store/dialects/store-dialect.ts';
import { CAIRN_TABLES } from '../../../src/store/tables.ts';
import { createMigratedDatabase, type MigratedDatabase } from '../../support/migrated-database.ts';
import { dialectTargets } from '../../support/test-databases.ts';

test('every Cairn table is copied once, each after the tables it references', () => {
  assert.deepEqual(COPY_TABLES.map((table) => table.name).sort(), Object.keys(CAIRN_TABLES).sort());
  const seen = new Set<string>();
  for (const table of COPY_TABLES) {
    for (const parent of table.parents) assert.ok(seen.has(parent), `${parent} comes before ${table.name}`);
    seen.add(table.name);
  }
});

/** Tables each table's foreign keys reference, itself aside, as the live schema declares them. */
async function liveParents(db: AnyDb, dialect: DialectName, table: string): Promise<string[]> {
  const query = {
    sqlite: sql<{ parent: string }>`select "table" as parent from pragma_foreign_key_list(${table})`,
    mysql: sql<{ parent: string }>`select referenced_table_name as parent
      from information_schema.key_column_usage
      where table_schema = database() and table_name = ${table} and referenced_table_name is not null`,
    postgres: sql<{ parent: string }>`select ccu.table_name as parent
      from information_schema.table_constraints tc
      join information_schema.constraint_column_usage ccu
        on ccu.constraint_schema = tc.constraint_schema and ccu.constraint_name = tc.constraint_name
      where tc.constraint_type = 'FOREIGN KEY' and tc.table_schema = current_schema()
        and tc.table_name = ${table}`,
  }[dialect];
  const { rows } = await query.execute(db);
  return [...new Set(rows.map((row) => row.parent).filter((parent) => parent !== table))].sort();
}

/** The primary key's columns, in order. */
async function livePrimaryKey(db: AnyDb, dialect: DialectName, table: string): Promise<string[]> {
  const query = {
    sqlite: sql<{ name: string }>`select name from pragma_table_info(${table}) where pk > 0 order by pk`,
    mysql: sql<{ name: string }>`select column_name as name from information_schema.key_column_usage
      where table_schema = database() and table_name = ${table} and constraint_name = 'PRIMARY'
      order by ordinal_position`,
    postgres: sql<{ name: string }>`select a.attname as name from pg_index i
      join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
      where i.indrelid = ${table}::regclass and i.indisprimary
      order by array_position(i.indkey, a.attnum)`,
  }[dialect];
  const { rows } = await query.execute(db);
  return rows.map((row) => row.name);
}

for (const { dialect, skip } of await dialectTargets()) {
  describe(`copy order against the live schema on ${dialect}`, { skip }, () => {
    let database: MigratedDatabase;
    before(async () => {
      database = await createMigratedDatabase(dialect);
    });
    after(() => database?.close());

    test("each table's parents are exactly the tables its foreign keys reference", async () => {
      for (const table of COPY_TABLES) {
        assert.deepEqual(
          await liveParents(database.handle.db, dialect, table.name),
          [...table.parents].sort(),
          `foreign keys of ${table.name}`,
        );
      }
    });

    test('each copy key is the primary key, or (tasks) a unique index of non-null columns', async () => {
      for (const table of COPY_TABLES) {
        const primary = await livePrimaryKey(database.handle.db, dialect, table.name);
        if (table.name === 'tasks') {
          assert.deepEqual(primary, ['id']);
          // Migration 0005 makes (run_id, path) unique; both columns are NOT NULL (see tables.test.ts).
          assert.deepEqual(table.key, ['run_id', 'path']);
          assert.ok(await database.dialect.indexExists(database.handle.db, 'tasks', 'tasks_run_path_uq'));
        } else {
          assert.deepEqual(primary, table.key, `primary key of ${table.name}`);
        }
      }
    });
  });
}
