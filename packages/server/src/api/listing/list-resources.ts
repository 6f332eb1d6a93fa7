/**
 * The resources KFP's v2beta1 list endpoints serve, each with the fields a client may sort and filter on.
 *
 * Field names are KFP's, from the `APIToModelFieldMap` of each model in KFP's
 * backend/src/apiserver/model (pipeline.go, pipeline_version.go, experiment.go, run.go, job.go),
 * including the v1beta1 names KFP still accepts (`id`, `name`). Fields KFP maps to something Cairn has no
 * column for (a version's `status` and `pipeline_spec`, a run's `status`, `state_history` and
 * `runtime_details`) are left out. Every declared field can be filtered on.
 */
import { RUN_STATE } from '../../engine/runs/run-state.ts';
import { CAIRN_TABLES, type CairnDatabase, type ColumnFacts } from '../../store/tables.ts';

/**
 * What a field holds, which decides the operations and value fields a predicate on it takes:
 * `string` text; `id` a UUID; `timestamp` milliseconds since the epoch (a `timestamp_value` in filters);
 * `enum` one of a fixed set of names; `tag` one tag of a JSON object of tags (see `tagField`).
 */
export type FieldKind = 'string' | 'id' | 'timestamp' | 'enum' | 'tag';

export interface ListField {
  /** KFP's v2beta1 name, used in page tokens and messages. */
  readonly name: string;
  /** Other names KFP accepts for the same field (its v1beta1 names). */
  readonly aliases: readonly string[];
  readonly column: string;
  readonly kind: FieldKind;
  /**
   * The column may be NULL where KFP stores its zero value ('' or 0): filters and sorting read NULL as
   * that zero value, so they select and order rows as KFP does.
   */
  readonly nullable: boolean;
  readonly sortable: boolean;
  /** The names an `enum` field holds; empty for other kinds. */
  readonly values: readonly string[];
}

export type ListTable = 'pipelines' | 'pipeline_versions' | 'experiments' | 'runs' | 'recurring_runs';

export interface ListResource<T extends ListTable = ListTable> {
  /** Plural, for messages: "runs", "pipeline versions". */
  readonly name: string;
  readonly table: T;
  /** The primary key; every sort ends with it, so the order is total. Always named `id`. */
  readonly idColumn: 'id';
  readonly fields: readonly ListField[];
  /** KFP sorts by creation time, oldest first, when `sort_by` is empty. */
  readonly defaultSort: ListField;
  /** Whether the resource has tags, which filters name as `tags.KEY` (pipelines and their versions). */
  readonly tagged: boolean;
}

interface FieldSpec<T extends ListTable> {
  column: keyof CairnDatabase[T] & string;
  kind: FieldKind;
  /**
   * Sortable fields are NOT NULL, or nullable timestamps (sorted as 0 where NULL, KFP's value). Text
   * columns are not sortable: MySQL sorts TEXT by a prefix only, which gives keyset pagination no total
   * order; nullable ids cannot take a common zero value on PostgreSQL's uuid type.
   */
  sortable?: boolean;
  aliases?: string[];
  values?: readonly string[];
}

function defineResource<T extends ListTable>(
  name: string,
  table: T,
  specs: Record<string, FieldSpec<T>>,
  { tagged = false }: { tagged?: boolean } = {},
): ListResource<T> {
  const columns: Record<string, ColumnFacts> = CAIRN_TABLES[table];
  const fields = Object.entries(specs).map(
    ([fieldName, spec]): ListField => ({
      name: fieldName,
      aliases: spec.aliases ?? [],
      column: spec.column,
      kind: spec.kind,
      nullable: columns[spec.column]?.nullable ?? false,
      sortable: spec.sortable ?? false,
      values: spec.values ?? [],
    }),
  );
  const createdAt = fields.find((field) => field.name === 'created_at');
  if (!createdAt) throw new Error(`the list resource ${name} has no created_at field to sort by default`);
  return { name, table, idColumn: 'id', fields, defaultSort: createdAt, tagged };
}

/** How a filter names a tag: KFP's `tags.` and the tag's key ("tags.team"). */
export const TAG_PREFIX = 'tags.';

/**
 * The field a filter key `tags.KEY` names on a tagged resource: the tag KEY, matched as KFP matches
 * it, by EQUALS on its value; a resource without that tag never matches. Undefined for another key.
 */
export function tagField(filterKey: string): ListField | undefined {
  if (!filterKey.startsWith(TAG_PREFIX)) return undefined;
  return {
    name: filterKey,
    aliases: [],
    column: 'tags',
    kind: 'tag',
    nullable: false,
    sortable: false,
    values: [],
  };
}

/** The tag a `tag` field names. */
export function tagKey(field: ListField): string {
  return field.name.slice(TAG_PREFIX.length);
}

/** KFP's `StorageState` names, as the `storage_state` columns hold them. */
const STORAGE_STATES = ['AVAILABLE', 'ARCHIVED'] as const;

export const PIPELINES = defineResource(
  'pipelines',
  'pipelines',
  {
    pipeline_id: { column: 'id', kind: 'id', sortable: true, aliases: ['id'] },
    display_name: { column: 'display_name', kind: 'string', sortable: true },
    name: { column: 'name', kind: 'string', sortable: true },
    created_at: { column: 'created_at', kind: 'timestamp', sortable: true },
    description: { column: 'description', kind: 'string' },
    namespace: { column: 'namespace', kind: 'string', sortable: true },
  },
  { tagged: true },
);

/** Listed per pipeline: the caller scopes the query to one `pipeline_id`. */
export const PIPELINE_VERSIONS = defineResource(
  'pipeline versions',
  'pipeline_versions',
  {
    pipeline_version_id: { column: 'id', kind: 'id', sortable: true, aliases: ['id'] },
    display_name: { column: 'display_name', kind: 'string', sortable: true },
    name: { column: 'name', kind: 'string', sortable: true },
    created_at: { column: 'created_at', kind: 'timestamp', sortable: true },
    description: { column: 'description', kind: 'string' },
  },
  { tagged: true },
);

export const EXPERIMENTS = defineResource('experiments', 'experiments', {
  experiment_id: { column: 'id', kind: 'id', sortable: true, aliases: ['id'] },
  // KFP's experiments have one name, which v2beta1 calls display_name and v1beta1 called name.
  display_name: { column: 'display_name', kind: 'string', sortable: true, aliases: ['name'] },
  created_at: { column: 'created_at', kind: 'timestamp', sortable: true },
  last_run_created_at: { column: 'last_run_created_at', kind: 'timestamp', sortable: true },
  description: { column: 'description', kind: 'string' },
  namespace: { column: 'namespace', kind: 'string', sortable: true },
  storage_state: { column: 'storage_state', kind: 'enum', sortable: true, values: STORAGE_STATES },
});

export const RUNS = defineResource('runs', 'runs', {
  run_id: { column: 'id', kind: 'id', sortable: true, aliases: ['id'] },
  display_name: { column: 'display_name', kind: 'string', sortable: true, aliases: ['name'] },
  created_at: { column: 'created_at', kind: 'timestamp', sortable: true },
  finished_at: { column: 'finished_at', kind: 'timestamp', sortable: true },
  scheduled_at: { column: 'scheduled_at', kind: 'timestamp', sortable: true },
  description: { column: 'description', kind: 'string' },
  namespace: { column: 'namespace', kind: 'string', sortable: true },
  experiment_id: { column: 'experiment_id', kind: 'id' },
  state: { column: 'state', kind: 'enum', sortable: true, values: Object.values(RUN_STATE) },
  storage_state: { column: 'storage_state', kind: 'enum', sortable: true, values: STORAGE_STATES },
  recurring_run_id: { column: 'recurring_run_id', kind: 'id' },
});

/** KFP's jobs: `recurring_run_id` is the v2beta1 name of a job's id. */
export const RECURRING_RUNS = defineResource('recurring runs', 'recurring_runs', {
  recurring_run_id: { column: 'id', kind: 'id', sortable: true, aliases: ['id'] },
  display_name: { column: 'display_name', kind: 'string', sortable: true, aliases: ['name'] },
  created_at: { column: 'created_at', kind: 'timestamp', sortable: true },
  updated_at: { column: 'updated_at', kind: 'timestamp', sortable: true },
  description: { column: 'description', kind: 'string' },
});

export const LIST_RESOURCES: readonly ListResource[] = [
  PIPELINES,
  PIPELINE_VERSIONS,
  EXPERIMENTS,
  RUNS,
  RECURRING_RUNS,
];

/** The field a client names, by its v2beta1 name or an alias. */
export function findField(resource: ListResource, name: string): ListField | undefined {
  return resource.fields.find((field) => field.name === name || field.aliases.includes(name));
}

/** Every name a client may use, for messages that list the valid ones. */
export function fieldNames(fields: readonly ListField[]): string {
  return fields.flatMap((field) => [field.name, ...field.aliases]).join(', ');
}
