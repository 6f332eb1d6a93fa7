import { defineMigration } from '../migrator/migration.ts';

/** One row per lifecycle operation (upgrade, backup, restore, storage move, verify), kept forever. */
export default defineMigration(import.meta.url, {
  async up(m) {
    const t = m.types;
    await m.createTable('lifecycle_audit', (table) =>
      table
        .addColumn('id', t.uuid, (c) => c.primaryKey())
        .addColumn('operation', t.name, (c) => c.notNull())
        .addColumn('actor', t.name)
        .addColumn('from_version', t.name)
        .addColumn('to_version', t.name)
        .addColumn('outcome', t.name, (c) => c.notNull())
        // JSON: the operation's parameters and what it did.
        .addColumn('details', t.largeText)
        .addColumn('started_at', t.timestamp, (c) => c.notNull())
        .addColumn('finished_at', t.timestamp),
    );
    await m.createIndex('lifecycle_audit_started_idx', 'lifecycle_audit', ['started_at', 'id']);
  },
  async down(m) {
    await m.dropTable('lifecycle_audit');
  },
});
