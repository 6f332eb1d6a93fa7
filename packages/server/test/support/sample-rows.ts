/**
 * Rows for every table, keyed by the schema version that created the table. Migration tests seed them
 * and check they survive; release fixtures are written from them. They use the largest values the
 * schema promises to hold: 255-character names (with characters outside the BMP), megabyte specs,
 * millisecond timestamps.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { AnyDb } from '../../src/store/dialects/store-dialect.ts';

type Row = Record<string, string | number | null>;

const T0 = Date.UTC(2026, 10, 21, 8, 30, 15, 123);
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const longName = (prefix: string) => `${prefix}-${'ÿ🪨'.repeat(84)}`.slice(0, 255);

// A spec a little over a megabyte, the size real compiled pipelines reach.
const LARGE_SPEC = JSON.stringify({
  pipelineInfo: { name: 'sample-pipeline' },
  schemaVersion: '2.1.0',
  sdkVersion: 'kfp-2.14.0',
  deploymentSpec: {
    executors: { 'exec-train': { container: { image: 'python:3.11', args: ['x'.repeat(1_100_000)] } } },
  },
});

export const IDS = {
  pipeline: '0b6f2b8e-5d1a-4c36-9a57-1f0d1c0e0001',
  version: '0b6f2b8e-5d1a-4c36-9a57-1f0d1c0e0002',
  experiment: '0b6f2b8e-5d1a-4c36-9a57-1f0d1c0e0003',
  recurringRun: '0b6f2b8e-5d1a-4c36-9a57-1f0d1c0e0004',
  run: '0b6f2b8e-5d1a-4c36-9a57-1f0d1c0e0005',
  rootTask: '0b6f2b8e-5d1a-4c36-9a57-1f0d1c0e0006',
  task: '0b6f2b8e-5d1a-4c36-9a57-1f0d1c0e0007',
  artifact: '0b6f2b8e-5d1a-4c36-9a57-1f0d1c0e0008',
  execution: '0b6f2b8e-5d1a-4c36-9a57-1f0d1c0e0009',
  event: '0b6f2b8e-5d1a-4c36-9a57-1f0d1c0e000a',
  context: '0b6f2b8e-5d1a-4c36-9a57-1f0d1c0e000b',
  audit: '0b6f2b8e-5d1a-4c36-9a57-1f0d1c0e000c',
} as const;

export const MODEL_URI = `s3://mlpipeline/v2/artifacts/sample-pipeline/${IDS.run}/train/model`;

/** Rows per schema version, per table, in insertion order (parents first). */
export const SAMPLE_ROWS: Record<number, Record<string, Row[]>> = {
  1: {
    pipelines: [
      {
        id: IDS.pipeline,
        namespace: '',
        name: longName('pipeline'),
        display_name: 'Sample pipeline',
        description: 'A pipeline whose name is as long as names get.',
        created_at: T0,
      },
    ],
    pipeline_versions: [
      {
        id: IDS.version,
        pipeline_id: IDS.pipeline,
        name: 'v1',
        display_name: 'Version 1',
        description: null,
        spec: LARGE_SPEC,
        spec_sha256: sha256(LARGE_SPEC),
        spec_schema_version: '2.1.0',
        sdk_version: 'kfp-2.14.0',
        package_url: null,
        code_source_url: 'https://example.com/pipelines/sample.py',
        created_at: T0 + 1,
      },
    ],
  },
  2: {
    experiments: [
      {
        id: IDS.experiment,
        namespace: '',
        name: 'Default',
        display_name: 'Default',
        description: 'All runs created without an experiment.',
        storage_state: 'AVAILABLE',
        created_at: T0 + 2,
        last_run_created_at: T0 + 10,
      },
    ],
  },
  3: {
    recurring_runs: [
      {
        id: IDS.recurringRun,
        namespace: '',
        display_name: 'Nightly',
        description: null,
        experiment_id: IDS.experiment,
        pipeline_version_id: IDS.version,
        pipeline_spec: null,
        runtime_config: JSON.stringify({ parameters: { epochs: 3 } }),
        service_account: null,
        trigger_kind: 'CRON',
        cron_expression: '0 0 2 * * *',
        interval_seconds: null,
        start_at: T0,
        end_at: null,
        max_concurrency: 2,
        catchup: 0,
        enabled: 1,
        next_fire_at: T0 + 86_400_000,
        last_fired_at: T0 + 5,
        created_at: T0 + 3,
        updated_at: T0 + 5,
      },
    ],
  },
  4: {
    runs: [
      {
        id: IDS.run,
        namespace: '',
        experiment_id: IDS.experiment,
        display_name: 'Nightly 2026-11-21',
        description: null,
        pipeline_id: IDS.pipeline,
        pipeline_version_id: IDS.version,
        pipeline_spec: null,
        runtime_config: JSON.stringify({
          parameters: { epochs: 3 },
          pipeline_root: 's3://mlpipeline/v2/artifacts',
        }),
        service_account: null,
        recurring_run_id: IDS.recurringRun,
        state: 'SUCCEEDED',
        error: null,
        storage_state: 'AVAILABLE',
        created_at: T0 + 10,
        scheduled_at: T0 + 10,
        started_at: T0 + 11,
        finished_at: T0 + 99,
        updated_at: T0 + 99,
      },
    ],
    run_state_history: [
      { run_id: IDS.run, seq: 1, state: 'PENDING', error: null, created_at: T0 + 10 },
      { run_id: IDS.run, seq: 2, state: 'RUNNING', error: null, created_at: T0 + 11 },
      { run_id: IDS.run, seq: 3, state: 'SUCCEEDED', error: null, created_at: T0 + 99 },
    ],
  },
  5: {
    tasks: [
      {
        id: IDS.rootTask,
        run_id: IDS.run,
        parent_task_id: null,
        path: 'root',
        name: 'root',
        kind: 'DAG',
        state: 'SUCCEEDED',
        attempt: 1,
        max_attempts: 1,
        created_at: T0 + 11,
        updated_at: T0 + 99,
      },
      {
        id: IDS.task,
        run_id: IDS.run,
        parent_task_id: IDS.rootTask,
        path: 'root/train',
        name: 'train',
        kind: 'CONTAINER',
        iteration_index: null,
        state: 'SUCCEEDED',
        attempt: 2,
        max_attempts: 3,
        inputs: JSON.stringify({ parameters: { epochs: 3 } }),
        outputs: JSON.stringify({ artifacts: { model: [MODEL_URI] } }),
        error: null,
        cache_fingerprint: sha256('train'),
        lease_token: null,
        lease_owner: null,
        lease_expires_at: null,
        heartbeat_at: T0 + 50,
        ready_at: T0 + 12,
        created_at: T0 + 12,
        started_at: T0 + 13,
        finished_at: T0 + 98,
        updated_at: T0 + 98,
      },
    ],
  },
  6: {
    artifacts: [
      {
        id: IDS.artifact,
        uri: MODEL_URI,
        uri_sha256: sha256(MODEL_URI),
        type: 'system.Model',
        name: 'model',
        metadata: JSON.stringify({ framework: 'sklearn' }),
        content_sha256: sha256('model bytes'),
        size_bytes: 11,
        state: 'LIVE',
        created_at: T0 + 98,
        updated_at: T0 + 98,
      },
    ],
    executions: [
      {
        id: IDS.execution,
        run_id: IDS.run,
        task_id: IDS.task,
        type: 'system.ContainerExecution',
        name: 'train',
        state: 'COMPLETE',
        metadata: null,
        created_at: T0 + 13,
        updated_at: T0 + 98,
      },
    ],
    events: [
      {
        id: IDS.event,
        execution_id: IDS.execution,
        artifact_id: IDS.artifact,
        kind: 'OUTPUT',
        name: 'model',
        list_index: 0,
        created_at: T0 + 98,
      },
    ],
    contexts: [
      { id: IDS.context, type: 'system.PipelineRun', name: IDS.run, metadata: null, created_at: T0 + 10 },
    ],
    context_artifacts: [{ context_id: IDS.context, artifact_id: IDS.artifact }],
    context_executions: [{ context_id: IDS.context, execution_id: IDS.execution }],
  },
  7: {
    lifecycle_audit: [
      {
        id: IDS.audit,
        operation: 'migrate',
        actor: 'fixture',
        from_version: null,
        to_version: '0.1.0',
        outcome: 'SUCCEEDED',
        details: JSON.stringify({ migrations: 7 }),
        started_at: T0,
        finished_at: T0 + 1,
      },
    ],
  },
};

export async function insertSampleRows(db: AnyDb, version: number): Promise<void> {
  for (const [table, rows] of Object.entries(SAMPLE_ROWS[version] ?? {})) {
    // One by one: a multi-row insert would turn a column left out of one row into NULL, not its default.
    for (const row of rows) await db.insertInto(table).values(row).execute();
  }
}

/** Asserts that every sample row of `version` is stored exactly as inserted. */
export async function assertSampleRows(db: AnyDb, version: number): Promise<void> {
  for (const [table, rows] of Object.entries(SAMPLE_ROWS[version] ?? {})) {
    const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
    const key = columns.filter((column) => column === 'id' || column.endsWith('_id') || column === 'seq');
    const stored = await db
      .selectFrom(table)
      .select(columns)
      .orderBy(key.length > 0 ? key : columns)
      .execute();
    const expected = [...rows].sort((a, b) => compareBy(key, a, b));
    // node:sqlite returns rows without a prototype; compare the values only.
    assert.deepEqual(
      stored.map((row) => ({ ...row })),
      expected.map((row) => ({ ...Object.fromEntries(columns.map((column) => [column, null])), ...row })),
      `sample rows of ${table} (schema version ${version})`,
    );
  }
}

function compareBy(columns: string[], a: Row, b: Row): number {
  for (const column of columns) {
    const x = String(a[column]);
    const y = String(b[column]);
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}
