import { defineMigration } from '../migrator/migration.ts';

export default defineMigration(import.meta.url, {
  async up(m) {
    const t = m.types;
    await m.createTable('experiments', (table) =>
      table
        .addColumn('id', t.uuid, (c) => c.primaryKey())
        .addColumn('namespace', t.name, (c) => c.notNull().defaultTo(''))
        .addColumn('name', t.name, (c) => c.notNull())
        .addColumn('display_name', t.name, (c) => c.notNull())
        .addColumn('description', t.text)
        .addColumn('storage_state', t.name, (c) => c.notNull().defaultTo('AVAILABLE'))
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('last_run_created_at', t.timestamp),
    );
    await m.createIndex('experiments_namespace_name_uq', 'experiments', ['namespace', 'name'], {
      unique: true,
    });
    await m.createIndex('experiments_created_at_idx', 'experiments', ['created_at', 'id']);
    await m.createIndex('experiments_storage_state_idx', 'experiments', [
      'storage_state',
      'created_at',
      'id',
    ]);
  },
  async down(m) {
    await m.dropTable('experiments');
  },
});
