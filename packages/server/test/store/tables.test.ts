import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Insertable, Selectable, Updateable } from 'kysely';
import { connectDatabase } from '../../src/store/connect-database.ts';
import type { ColumnTypes } from '../../src/store/dialects/store-dialect.ts';
import { LATEST_SCHEMA_VERSION } from '../../src/store/migrations/index.ts';
import { Migrator } from '../../src/store/migrator/migrator.ts';
import { HISTORY_TABLE } from '../../src/store/migrator/schema-history.ts';
import type { DatabaseHandle } from '../../src/store/open-database.ts';
import {
  CAIRN_TABLES,
  type CairnDatabase,
  type ColumnFacts,
  type ColumnKind,
  type TasksTable,
} from '../../src/store/tables.ts';
import { insertSampleRows } from '../support/sample-rows.ts';
import { createTestDatabase, dialectTargets, type TestDatabase } from '../support/test-databases.ts';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

// Checked by tsc: the row types derived from the descriptions are what Kysely callers rely on.
[true, true, true, true, true, true] satisfies [
  Equal<Selectable<TasksTable>['id'], string>,
  Equal<Selectable<TasksTable>['lease_expires_at'], number | null>,
  Equal<Insertable<TasksTable>['attempt'], number | undefined>,
  Equal<Updateable<TasksTable>['state'], string | undefined>,
  Equal<Selectable<CairnDatabase['recurring_runs']>['enabled'], number>,
  Equal<keyof CairnDatabase, keyof typeof CAIRN_TABLES>,
];

const described = CAIRN_TABLES as Record<string, Record<string, ColumnFacts>>;

/** What the drivers return for each kind (the TypeScript types in tables.ts promise the same). */
const JS_TYPE: Record<ColumnKind, 'string' | 'number'> = {
  uuid: 'string',
  name: 'string',
  path: 'string',
  text: 'string',
  largeText: 'string',
  sha256: 'string',
  timestamp: 'number',
  flag: 'number',
  integer: 'number',
  bigInteger: 'number',
};

/** One spelling per type: introspection reports PostgreSQL's internal names and drops lengths. */
const ALIASES: Record<string, string> = {
  bpchar: 'char',
  int2: 'smallint',
  int4: 'integer',
  int: 'integer',
  int8: 'bigint',
};
function baseType(type: string): string {
  const base = type
    .toLowerCase()
    .replace(/\(.*\)$/, '')
    .trim();
  return ALIASES[base] ?? base;
}

for (const { dialect, skip } of await dialectTargets()) {
  describe(`table types on ${dialect}`, { skip }, () => {
    let database: TestDatabase;
    let handle: DatabaseHandle;

    before(async () => {
      database = await createTestDatabase(dialect);
      handle = await connectDatabase(database.location);
      const outcome = await new Migrator({ db: handle.db, dialect: handle.dialect }).migrateTo();
      assert.equal(outcome.error, undefined);
    });
    after(async () => {
      await handle?.close();
      await database?.drop();
    });

    test('every table and column of the live schema is described, and nothing else', async () => {
      const live = (await handle.db.introspection.getTables()).filter(
        (table) => table.name !== HISTORY_TABLE,
      );
      assert.deepEqual(live.map((table) => table.name).sort(), Object.keys(described).sort());
      for (const table of live) {
        assert.deepEqual(
          table.columns.map((column) => column.name).sort(),
          Object.keys(described[table.name] ?? {}).sort(),
          `columns of ${table.name}`,
        );
      }
    });

    test('each column has the described type, nullability and default', async () => {
      const columnTypes: ColumnTypes = handle.dialect.columnTypes;
      for (const table of await handle.db.introspection.getTables()) {
        if (table.name === HISTORY_TABLE) continue;
        for (const column of table.columns) {
          const facts = described[table.name]?.[column.name];
          assert.ok(facts, `${table.name}.${column.name} is described`);
          const where = `${table.name}.${column.name}`;
          assert.equal(baseType(column.dataType), baseType(columnTypes[facts.kind]), `type of ${where}`);
          // SQLite lets a primary key that is not an INTEGER be null (a legacy quirk), so it reports every
          // `id` as nullable; the same migrations declare it on the other dialects.
          if (dialect !== 'sqlite')
            assert.equal(column.isNullable, facts.nullable, `nullability of ${where}`);
          // MariaDB reports a default of NULL for nullable columns, so only NOT NULL columns are compared.
          if (!facts.nullable) assert.equal(column.hasDefaultValue, facts.defaulted, `default of ${where}`);
        }
      }
    });

    test('the drivers return each kind as the described TypeScript type', async () => {
      for (let version = 1; version <= LATEST_SCHEMA_VERSION; version++)
        await insertSampleRows(handle.db, version);
      const checked = new Set<ColumnKind>();
      for (const [table, columns] of Object.entries(described)) {
        const rows = await handle.db.selectFrom(table).selectAll().execute();
        assert.ok(rows.length > 0, `sample rows in ${table}`);
        for (const row of rows) {
          for (const [column, facts] of Object.entries(columns)) {
            const value: unknown = row[column];
            if (value === null) {
              assert.ok(facts.nullable, `${table}.${column} is null but not nullable`);
              continue;
            }
            assert.equal(typeof value, JS_TYPE[facts.kind], `${table}.${column} (${facts.kind})`);
            checked.add(facts.kind);
          }
        }
      }
      assert.deepEqual([...checked].sort(), Object.keys(JS_TYPE).sort(), 'every kind was seen with a value');
    });
  });
}
