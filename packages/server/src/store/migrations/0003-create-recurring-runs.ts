import { defineMigration } from '../migrator/migration.ts';

export default defineMigration(import.meta.url, {
  async up(m) {
    const t = m.types;
    await m.createTable('recurring_runs', (table) =>
      table
        .addColumn('id', t.uuid, (c) => c.primaryKey())
        .addColumn('namespace', t.name, (c) => c.notNull().defaultTo(''))
        .addColumn('display_name', t.name, (c) => c.notNull())
        .addColumn('description', t.text)
        .addColumn('experiment_id', t.uuid)
        .addColumn('pipeline_version_id', t.uuid)
        .addColumn('pipeline_spec', t.largeText)
        .addColumn('runtime_config', t.largeText, (c) => c.notNull())
        .addColumn('service_account', t.name)
        // 'CRON' uses cron_expression; 'INTERVAL' uses interval_seconds.
        .addColumn('trigger_kind', t.name, (c) => c.notNull())
        .addColumn('cron_expression', t.name)
        .addColumn('interval_seconds', t.bigInteger)
        .addColumn('start_at', t.timestamp)
        .addColumn('end_at', t.timestamp)
        .addColumn('max_concurrency', t.integer, (c) => c.notNull().defaultTo(1))
        .addColumn('catchup', t.flag, (c) => c.notNull().defaultTo(1))
        .addColumn('enabled', t.flag, (c) => c.notNull().defaultTo(1))
        // Kept in the database so a reinstall on the same store fires exactly where the old one stopped.
        .addColumn('next_fire_at', t.timestamp)
        .addColumn('last_fired_at', t.timestamp)
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('updated_at', t.timestamp, (c) => c.notNull())
        .addForeignKeyConstraint('recurring_runs_experiment_fk', ['experiment_id'], 'experiments', ['id'])
        .addForeignKeyConstraint('recurring_runs_version_fk', ['pipeline_version_id'], 'pipeline_versions', [
          'id',
        ]),
    );
    await m.createIndex('recurring_runs_due_idx', 'recurring_runs', ['enabled', 'next_fire_at']);
    await m.createIndex('recurring_runs_created_at_idx', 'recurring_runs', ['created_at', 'id']);
    await m.createIndex('recurring_runs_experiment_idx', 'recurring_runs', [
      'experiment_id',
      'created_at',
      'id',
    ]);
  },
  async down(m) {
    await m.dropTable('recurring_runs');
  },
});
