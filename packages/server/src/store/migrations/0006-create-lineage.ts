import { defineMigration } from '../migrator/migration.ts';

/** Lineage in the shape of ML Metadata: artifacts and executions, joined by events, grouped by contexts. */
export default defineMigration(import.meta.url, {
  async up(m) {
    const t = m.types;
    await m.createTable('artifacts', (table) =>
      table
        .addColumn('id', t.uuid, (c) => c.primaryKey())
        .addColumn('uri', t.text, (c) => c.notNull())
        // URIs can outgrow any index; their digest is what exact lookups use.
        .addColumn('uri_sha256', t.sha256, (c) => c.notNull())
        .addColumn('type', t.name, (c) => c.notNull())
        .addColumn('name', t.name)
        .addColumn('metadata', t.largeText)
        .addColumn('content_sha256', t.sha256)
        .addColumn('size_bytes', t.bigInteger)
        .addColumn('state', t.name, (c) => c.notNull().defaultTo('LIVE'))
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('updated_at', t.timestamp, (c) => c.notNull()),
    );
    await m.createIndex('artifacts_uri_idx', 'artifacts', ['uri_sha256']);
    await m.createIndex('artifacts_type_idx', 'artifacts', ['type', 'created_at']);
    await m.createIndex('artifacts_content_idx', 'artifacts', ['content_sha256']);
    await m.createIndex('artifacts_created_at_idx', 'artifacts', ['created_at', 'id']);

    await m.createTable('executions', (table) =>
      table
        .addColumn('id', t.uuid, (c) => c.primaryKey())
        .addColumn('run_id', t.uuid)
        .addColumn('task_id', t.uuid)
        .addColumn('type', t.name, (c) => c.notNull())
        .addColumn('name', t.name)
        .addColumn('state', t.name, (c) => c.notNull())
        .addColumn('metadata', t.largeText)
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('updated_at', t.timestamp, (c) => c.notNull())
        // Lineage outlives the run record: deleting a run keeps what its executions produced.
        .addForeignKeyConstraint('executions_run_fk', ['run_id'], 'runs', ['id'], (fk) =>
          fk.onDelete('set null'),
        )
        .addForeignKeyConstraint('executions_task_fk', ['task_id'], 'tasks', ['id'], (fk) =>
          fk.onDelete('set null'),
        ),
    );
    await m.createIndex('executions_run_idx', 'executions', ['run_id']);
    await m.createIndex('executions_task_idx', 'executions', ['task_id']);

    await m.createTable('events', (table) =>
      table
        .addColumn('id', t.uuid, (c) => c.primaryKey())
        .addColumn('execution_id', t.uuid, (c) => c.notNull())
        .addColumn('artifact_id', t.uuid, (c) => c.notNull())
        // 'INPUT' or 'OUTPUT'
        .addColumn('kind', t.name, (c) => c.notNull())
        .addColumn('name', t.name, (c) => c.notNull())
        .addColumn('list_index', t.integer, (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addForeignKeyConstraint('events_execution_fk', ['execution_id'], 'executions', ['id'], (fk) =>
          fk.onDelete('cascade'),
        )
        .addForeignKeyConstraint('events_artifact_fk', ['artifact_id'], 'artifacts', ['id'], (fk) =>
          fk.onDelete('cascade'),
        ),
    );
    await m.createIndex('events_execution_uq', 'events', ['execution_id', 'kind', 'name', 'list_index'], {
      unique: true,
    });
    await m.createIndex('events_artifact_idx', 'events', ['artifact_id']);

    await m.createTable('contexts', (table) =>
      table
        .addColumn('id', t.uuid, (c) => c.primaryKey())
        .addColumn('type', t.name, (c) => c.notNull())
        .addColumn('name', t.name, (c) => c.notNull())
        .addColumn('metadata', t.largeText)
        .addColumn('created_at', t.timestamp, (c) => c.notNull()),
    );
    await m.createIndex('contexts_type_name_uq', 'contexts', ['type', 'name'], { unique: true });

    for (const member of ['artifact', 'execution'] as const) {
      const table = `context_${member}s`;
      await m.createTable(table, (builder) =>
        builder
          .addColumn('context_id', t.uuid, (c) => c.notNull())
          .addColumn(`${member}_id`, t.uuid, (c) => c.notNull())
          .addPrimaryKeyConstraint(`${table}_pk`, ['context_id', `${member}_id`])
          .addForeignKeyConstraint(`${table}_context_fk`, ['context_id'], 'contexts', ['id'], (fk) =>
            fk.onDelete('cascade'),
          )
          .addForeignKeyConstraint(`${table}_${member}_fk`, [`${member}_id`], `${member}s`, ['id'], (fk) =>
            fk.onDelete('cascade'),
          ),
      );
      await m.createIndex(`${table}_${member}_idx`, table, [`${member}_id`]);
    }
  },
  async down(m) {
    for (const table of [
      'context_executions',
      'context_artifacts',
      'contexts',
      'events',
      'executions',
      'artifacts',
    ]) {
      await m.dropTable(table);
    }
  },
});
