import { defineMigration } from '../migrator/migration.ts';

export default defineMigration(import.meta.url, {
  async up(m) {
    const t = m.types;
    await m.createTable('runs', (table) =>
      table
        .addColumn('id', t.uuid, (c) => c.primaryKey())
        .addColumn('namespace', t.name, (c) => c.notNull().defaultTo(''))
        .addColumn('experiment_id', t.uuid)
        .addColumn('display_name', t.name, (c) => c.notNull())
        .addColumn('description', t.text)
        .addColumn('pipeline_id', t.uuid)
        .addColumn('pipeline_version_id', t.uuid)
        // An inline spec, or none when the run references a pipeline version.
        .addColumn('pipeline_spec', t.largeText)
        // JSON: parameters and pipeline_root.
        .addColumn('runtime_config', t.largeText, (c) => c.notNull())
        .addColumn('service_account', t.name)
        .addColumn('recurring_run_id', t.uuid)
        .addColumn('state', t.name, (c) => c.notNull())
        .addColumn('error', t.text)
        .addColumn('storage_state', t.name, (c) => c.notNull().defaultTo('AVAILABLE'))
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('scheduled_at', t.timestamp)
        .addColumn('started_at', t.timestamp)
        .addColumn('finished_at', t.timestamp)
        .addColumn('updated_at', t.timestamp, (c) => c.notNull())
        .addForeignKeyConstraint('runs_experiment_fk', ['experiment_id'], 'experiments', ['id'])
        .addForeignKeyConstraint('runs_pipeline_fk', ['pipeline_id'], 'pipelines', ['id'])
        .addForeignKeyConstraint('runs_version_fk', ['pipeline_version_id'], 'pipeline_versions', ['id'])
        .addForeignKeyConstraint('runs_recurring_run_fk', ['recurring_run_id'], 'recurring_runs', ['id']),
    );
    // Keyset pagination: every list sorts on (key, id) so pages are stable under inserts.
    await m.createIndex('runs_created_at_idx', 'runs', ['created_at', 'id']);
    await m.createIndex('runs_experiment_idx', 'runs', ['experiment_id', 'created_at', 'id']);
    await m.createIndex('runs_storage_state_idx', 'runs', ['storage_state', 'created_at', 'id']);
    await m.createIndex('runs_namespace_idx', 'runs', ['namespace', 'created_at', 'id']);
    await m.createIndex('runs_state_idx', 'runs', ['state', 'updated_at']);
    await m.createIndex('runs_recurring_run_idx', 'runs', ['recurring_run_id', 'created_at']);
    await m.createIndex('runs_version_idx', 'runs', ['pipeline_version_id', 'created_at']);

    await m.createTable('run_state_history', (table) =>
      table
        .addColumn('run_id', t.uuid, (c) => c.notNull())
        .addColumn('seq', t.integer, (c) => c.notNull())
        .addColumn('state', t.name, (c) => c.notNull())
        .addColumn('error', t.text)
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addPrimaryKeyConstraint('run_state_history_pk', ['run_id', 'seq'])
        .addForeignKeyConstraint('run_state_history_run_fk', ['run_id'], 'runs', ['id'], (fk) =>
          fk.onDelete('cascade'),
        ),
    );
  },
  async down(m) {
    await m.dropTable('run_state_history');
    await m.dropTable('runs');
  },
});
