/**
 * The current schema (the tables the migrations create) as Kysely sees it, for `Kysely<CairnDatabase>`.
 *
 * The tables are written once, as data: the TypeScript row types are derived from it, and a test
 * compares it with the live schema on every dialect, so types and schema cannot drift apart. A new
 * migration that adds or changes a column must change this file too (its test fails until it does).
 */
import type { Generated } from 'kysely';
import type { ColumnTypes } from './dialects/store-dialect.ts';

/** The migration's column type (a key of the dialect's `columnTypes`). */
export type ColumnKind = keyof ColumnTypes;

/**
 * What each kind holds once the driver has read it: ids, names and JSON documents as strings; timestamps
 * (milliseconds since the Unix epoch, UTC), counts and 0/1 flags as numbers (every driver is set up to
 * return bigint columns as numbers, which hold them exactly).
 */
interface KindValues {
  uuid: string;
  name: string;
  path: string;
  text: string;
  largeText: string;
  sha256: string;
  timestamp: number;
  flag: number;
  integer: number;
  bigInteger: number;
}

export interface ColumnFacts<K extends ColumnKind = ColumnKind> {
  readonly kind: K;
  /** The column accepts NULL. */
  readonly nullable: boolean;
  /** NOT NULL with a default, so an insert may leave it out (Kysely's `Generated`). */
  readonly defaulted: boolean;
}

const required = <K extends ColumnKind>(kind: K) => ({ kind, nullable: false, defaulted: false }) as const;
const nullable = <K extends ColumnKind>(kind: K) => ({ kind, nullable: true, defaulted: false }) as const;
const defaulted = <K extends ColumnKind>(kind: K) => ({ kind, nullable: false, defaulted: true }) as const;

/** Every table of the current schema (the migrator's own history table aside), column by column. */
export const CAIRN_TABLES = {
  pipelines: {
    id: required('uuid'),
    namespace: defaulted('name'),
    name: required('name'),
    display_name: required('name'),
    description: nullable('text'),
    created_at: required('timestamp'),
    /** JSON object of KFP's tags (key-value pairs); null for none. */
    tags: nullable('text'),
  },
  pipeline_versions: {
    id: required('uuid'),
    pipeline_id: required('uuid'),
    name: required('name'),
    display_name: required('name'),
    description: nullable('text'),
    /** The compiled PipelineSpec (YAML or JSON text). */
    spec: required('largeText'),
    spec_sha256: required('sha256'),
    spec_schema_version: nullable('name'),
    sdk_version: nullable('name'),
    package_url: nullable('text'),
    code_source_url: nullable('text'),
    created_at: required('timestamp'),
    /** JSON object of KFP's tags (key-value pairs); null for none. */
    tags: nullable('text'),
  },
  experiments: {
    id: required('uuid'),
    namespace: defaulted('name'),
    name: required('name'),
    display_name: required('name'),
    description: nullable('text'),
    /** 'AVAILABLE' or 'ARCHIVED'. */
    storage_state: defaulted('name'),
    created_at: required('timestamp'),
    last_run_created_at: nullable('timestamp'),
  },
  recurring_runs: {
    id: required('uuid'),
    namespace: defaulted('name'),
    display_name: required('name'),
    description: nullable('text'),
    experiment_id: nullable('uuid'),
    pipeline_version_id: nullable('uuid'),
    pipeline_spec: nullable('largeText'),
    /** JSON: parameters and pipeline_root. */
    runtime_config: required('largeText'),
    service_account: nullable('name'),
    /** 'CRON' (cron_expression) or 'INTERVAL' (interval_seconds). */
    trigger_kind: required('name'),
    cron_expression: nullable('name'),
    interval_seconds: nullable('bigInteger'),
    start_at: nullable('timestamp'),
    end_at: nullable('timestamp'),
    max_concurrency: defaulted('integer'),
    catchup: defaulted('flag'),
    enabled: defaulted('flag'),
    next_fire_at: nullable('timestamp'),
    last_fired_at: nullable('timestamp'),
    created_at: required('timestamp'),
    updated_at: required('timestamp'),
  },
  runs: {
    id: required('uuid'),
    namespace: defaulted('name'),
    experiment_id: nullable('uuid'),
    display_name: required('name'),
    description: nullable('text'),
    pipeline_id: nullable('uuid'),
    pipeline_version_id: nullable('uuid'),
    /** An inline spec, or null when the run references a pipeline version. */
    pipeline_spec: nullable('largeText'),
    /** JSON: parameters and pipeline_root. */
    runtime_config: required('largeText'),
    service_account: nullable('name'),
    recurring_run_id: nullable('uuid'),
    state: required('name'),
    error: nullable('text'),
    storage_state: defaulted('name'),
    created_at: required('timestamp'),
    scheduled_at: nullable('timestamp'),
    started_at: nullable('timestamp'),
    finished_at: nullable('timestamp'),
    updated_at: required('timestamp'),
  },
  run_state_history: {
    run_id: required('uuid'),
    seq: required('integer'),
    state: required('name'),
    error: nullable('text'),
    created_at: required('timestamp'),
  },
  tasks: {
    id: required('uuid'),
    run_id: required('uuid'),
    parent_task_id: nullable('uuid'),
    /** The node's place in its run, e.g. "root/for-loop-2/3/train"; unique per run. */
    path: required('path'),
    name: required('name'),
    display_name: nullable('name'),
    kind: required('name'),
    iteration_index: nullable('integer'),
    /** See `TASK_STATE` in engine/leases/task-states.ts. */
    state: required('name'),
    /** Attempts started so far (0 until the first claim), lost ones included. */
    attempt: defaulted('integer'),
    max_attempts: defaulted('integer'),
    /** Attempts lost with their worker (an expired lease): they do not use up retries. Schema 8. */
    lost_attempts: defaulted('integer'),
    /** JSON. */
    inputs: nullable('largeText'),
    /** JSON. */
    outputs: nullable('largeText'),
    error: nullable('text'),
    cache_fingerprint: nullable('sha256'),
    cached_from_task_id: nullable('uuid'),
    /** Whoever holds this token may finish the attempt; null when no lease is held. */
    lease_token: nullable('uuid'),
    lease_owner: nullable('name'),
    /** The lease lapses after this instant (database clock). */
    lease_expires_at: nullable('timestamp'),
    heartbeat_at: nullable('timestamp'),
    /** Earliest time a QUEUED task may be claimed (retry backoff). */
    ready_at: nullable('timestamp'),
    created_at: required('timestamp'),
    started_at: nullable('timestamp'),
    finished_at: nullable('timestamp'),
    updated_at: required('timestamp'),
  },
  artifacts: {
    id: required('uuid'),
    uri: required('text'),
    uri_sha256: required('sha256'),
    type: required('name'),
    name: nullable('name'),
    /** JSON. */
    metadata: nullable('largeText'),
    content_sha256: nullable('sha256'),
    size_bytes: nullable('bigInteger'),
    state: defaulted('name'),
    created_at: required('timestamp'),
    updated_at: required('timestamp'),
  },
  executions: {
    id: required('uuid'),
    run_id: nullable('uuid'),
    task_id: nullable('uuid'),
    type: required('name'),
    name: nullable('name'),
    state: required('name'),
    /** JSON. */
    metadata: nullable('largeText'),
    created_at: required('timestamp'),
    updated_at: required('timestamp'),
  },
  events: {
    id: required('uuid'),
    execution_id: required('uuid'),
    artifact_id: required('uuid'),
    /** 'INPUT' or 'OUTPUT'. */
    kind: required('name'),
    name: required('name'),
    list_index: defaulted('integer'),
    created_at: required('timestamp'),
  },
  contexts: {
    id: required('uuid'),
    type: required('name'),
    name: required('name'),
    /** JSON. */
    metadata: nullable('largeText'),
    created_at: required('timestamp'),
  },
  context_artifacts: {
    context_id: required('uuid'),
    artifact_id: required('uuid'),
  },
  context_executions: {
    context_id: required('uuid'),
    execution_id: required('uuid'),
  },
  lifecycle_audit: {
    id: required('uuid'),
    operation: required('name'),
    actor: nullable('name'),
    from_version: nullable('name'),
    to_version: nullable('name'),
    outcome: required('name'),
    /** JSON: the operation's parameters and what it did. */
    details: nullable('largeText'),
    started_at: required('timestamp'),
    finished_at: nullable('timestamp'),
  },
} as const satisfies Record<string, Record<string, ColumnFacts>>;

type Tables = typeof CAIRN_TABLES;

/** The value type Kysely reads and writes for a column described by `F`. */
type ColumnValue<F> = F extends { kind: infer K extends ColumnKind; nullable: infer N; defaulted: infer D }
  ? D extends true
    ? Generated<KindValues[K]>
    : N extends true
      ? KindValues[K] | null
      : KindValues[K]
  : never;

type TableOf<T extends keyof Tables> = { [C in keyof Tables[T]]: ColumnValue<Tables[T][C]> };

export type PipelinesTable = TableOf<'pipelines'>;
export type PipelineVersionsTable = TableOf<'pipeline_versions'>;
export type ExperimentsTable = TableOf<'experiments'>;
export type RecurringRunsTable = TableOf<'recurring_runs'>;
export type RunsTable = TableOf<'runs'>;
export type RunStateHistoryTable = TableOf<'run_state_history'>;
export type TasksTable = TableOf<'tasks'>;
export type ArtifactsTable = TableOf<'artifacts'>;
export type ExecutionsTable = TableOf<'executions'>;
export type EventsTable = TableOf<'events'>;
export type ContextsTable = TableOf<'contexts'>;
export type ContextArtifactsTable = TableOf<'context_artifacts'>;
export type ContextExecutionsTable = TableOf<'context_executions'>;
export type LifecycleAuditTable = TableOf<'lifecycle_audit'>;

/** The whole schema, for `Kysely<CairnDatabase>`. */
export type CairnDatabase = { [T in keyof Tables]: TableOf<T> };
