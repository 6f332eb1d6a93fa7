// OLDEST_WRITABLE_SCHEMA_VERSION promises that every migration after it only adds indexes or statistics:
// a migration that changes a table must raise it, or processes would write to a schema without it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MIGRATIONS, OLDEST_WRITABLE_SCHEMA_VERSION } from '../../src/store/migrations/index.ts';
import type { Migration } from '../../src/store/migrator/migration.ts';
import type { MigrationContext } from '../../src/store/migrator/migration-context.ts';

const INDEX_ONLY = new Set([
  'createIndex',
  'dropIndex',
  'createExpressionStatistics',
  'dropExpressionStatistics',
  // Read to choose between dialects' ways of doing the same thing.
  'dialect',
]);

/** The names of what `up` uses of its context: methods it calls, properties it reads. */
async function usedBy(migration: Migration): Promise<string[]> {
  const used: string[] = [];
  const context = new Proxy(
    {},
    {
      get(_, property) {
        const name = String(property);
        used.push(name);
        if (name === 'dialect') return { name: 'sqlite' };
        if (name === 'types') return new Proxy({}, { get: () => ({}) });
        return async () => {};
      },
    },
  ) as MigrationContext;
  await migration.up(context);
  return used;
}

test('every migration after the oldest writable schema only adds indexes or statistics', async () => {
  const oldest = MIGRATIONS.find((migration) => migration.version === OLDEST_WRITABLE_SCHEMA_VERSION);
  assert.ok(oldest, `a migration of version ${OLDEST_WRITABLE_SCHEMA_VERSION}`);
  const changesTables = (await usedBy(oldest)).some((name) => !INDEX_ONLY.has(name));
  assert.ok(changesTables, `${oldest.name} changes a table, so code needs it`);
  for (const migration of MIGRATIONS.filter(
    (candidate) => candidate.version > OLDEST_WRITABLE_SCHEMA_VERSION,
  )) {
    const used = await usedBy(migration);
    assert.deepEqual(
      used.filter((name) => !INDEX_ONLY.has(name)),
      [],
      `${migration.name} changes more than indexes: raise OLDEST_WRITABLE_SCHEMA_VERSION to ${migration.version}`,
    );
  }
});
