import { defineMigration } from '../migrator/migration.ts';

export default defineMigration(import.meta.url, {
  async up(m) {
    const t = m.types;
    await m.createTable('tasks', (table) =>
      table
        .addColumn('id', t.uuid, (c) => c.primaryKey())
        .addColumn('run_id', t.uuid, (c) => c.notNull())
        .addColumn('parent_task_id', t.uuid)
        // The node's place in the run ("root/for-loop-2/3/train"): one row per node and iteration,
        // so a scheduler that restarts mid-step cannot create a task twice.
        .addColumn('path', t.path, (c) => c.notNull())
        .addColumn('name', t.name, (c) => c.notNull())
        .addColumn('display_name', t.name)
        .addColumn('kind', t.name, (c) => c.notNull())
        .addColumn('iteration_index', t.integer)
        .addColumn('state', t.name, (c) => c.notNull())
        .addColumn('attempt', t.integer, (c) => c.notNull().defaultTo(0))
        .addColumn('max_attempts', t.integer, (c) => c.notNull().defaultTo(1))
        .addColumn('inputs', t.largeText)
        .addColumn('outputs', t.largeText)
        .addColumn('error', t.text)
        .addColumn('cache_fingerprint', t.sha256)
        .addColumn('cached_from_task_id', t.uuid)
        // Lease: whoever holds lease_token may finish the attempt; it lapses at lease_expires_at.
        .addColumn('lease_token', t.uuid)
        .addColumn('lease_owner', t.name)
        .addColumn('lease_expires_at', t.timestamp)
        .addColumn('heartbeat_at', t.timestamp)
        // Earliest time the next attempt may be claimed (retry backoff).
        .addColumn('ready_at', t.timestamp)
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('started_at', t.timestamp)
        .addColumn('finished_at', t.timestamp)
        .addColumn('updated_at', t.timestamp, (c) => c.notNull())
        .addForeignKeyConstraint('tasks_run_fk', ['run_id'], 'runs', ['id'], (fk) => fk.onDelete('cascade'))
        .addForeignKeyConstraint('tasks_parent_fk', ['parent_task_id'], 'tasks', ['id'], (fk) =>
          fk.onDelete('cascade'),
        ),
    );
    await m.createIndex('tasks_run_path_uq', 'tasks', ['run_id', 'path'], { unique: true });
    await m.createIndex('tasks_parent_idx', 'tasks', ['parent_task_id']);
    await m.createIndex('tasks_claim_idx', 'tasks', ['state', 'ready_at']);
    await m.createIndex('tasks_lease_idx', 'tasks', ['lease_expires_at']);
    await m.createIndex('tasks_cache_idx', 'tasks', ['cache_fingerprint', 'state']);
  },
  async down(m) {
    await m.dropTable('tasks');
  },
});
