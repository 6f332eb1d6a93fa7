import { defineMigration } from '../migrator/migration.ts';

export default defineMigration(import.meta.url, {
  async up(m) {
    const t = m.types;
    await m.createTable('pipelines', (table) =>
      table
        .addColumn('id', t.uuid, (c) => c.primaryKey())
        .addColumn('namespace', t.name, (c) => c.notNull().defaultTo(''))
        .addColumn('name', t.name, (c) => c.notNull())
        .addColumn('display_name', t.name, (c) => c.notNull())
        .addColumn('description', t.text)
        .addColumn('created_at', t.timestamp, (c) => c.notNull()),
    );
    await m.createIndex('pipelines_namespace_name_uq', 'pipelines', ['namespace', 'name'], { unique: true });
    await m.createIndex('pipelines_created_at_idx', 'pipelines', ['created_at', 'id']);

    await m.createTable('pipeline_versions', (table) =>
      table
        .addColumn('id', t.uuid, (c) => c.primaryKey())
        .addColumn('pipeline_id', t.uuid, (c) => c.notNull())
        .addColumn('name', t.name, (c) => c.notNull())
        .addColumn('display_name', t.name, (c) => c.notNull())
        .addColumn('description', t.text)
        // The spec lives in the database, not in object storage: a version stays runnable whatever
        // happens to the artifact store (KFP 2.0 lost that).
        .addColumn('spec', t.largeText, (c) => c.notNull())
        .addColumn('spec_sha256', t.sha256, (c) => c.notNull())
        .addColumn('spec_schema_version', t.name)
        .addColumn('sdk_version', t.name)
        .addColumn('package_url', t.text)
        .addColumn('code_source_url', t.text)
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addForeignKeyConstraint('pipeline_versions_pipeline_fk', ['pipeline_id'], 'pipelines', ['id']),
    );
    await m.createIndex('pipeline_versions_pipeline_name_uq', 'pipeline_versions', ['pipeline_id', 'name'], {
      unique: true,
    });
    await m.createIndex('pipeline_versions_pipeline_created_idx', 'pipeline_versions', [
      'pipeline_id',
      'created_at',
      'id',
    ]);
  },
  async down(m) {
    await m.dropTable('pipeline_versions');
    await m.dropTable('pipelines');
  },
});
