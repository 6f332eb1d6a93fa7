/**
 * Rows to list, and an in-memory model of what a list should return, written independently of the module
 * under test: from KFP's semantics (NULL reads as '' or 0, IS_SUBSTRING ignores ASCII case) and binary
 * string order, which is what SQLite, MariaDB's utf8mb4_bin and PostgreSQL's C.UTF-8 sort by.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, SelectQueryBuilder } from 'kysely';
import { applyListQuery } from '../../../src/api/listing/apply-list-query.ts';
import type { ListResource, ListTable } from '../../../src/api/listing/list-resources.ts';
import { type ListRequest, parseListRequest } from '../../../src/api/listing/parse-list-request.ts';
import type { StoreDialect } from '../../../src/store/dialects/store-dialect.ts';
import type { CairnDatabase } from '../../../src/store/tables.ts';

export const T0 = Date.UTC(2026, 2, 1, 9, 0, 0);

export const RUN_STATES = [
  'PENDING',
  'RUNNING',
  'SUCCEEDED',
  'SKIPPED',
  'FAILED',
  'CANCELING',
  'CANCELED',
  'PAUSED',
];
const FINAL = new Set(['SUCCEEDED', 'SKIPPED', 'FAILED', 'CANCELED']);

/**
 * Names with LIKE's wildcards and escape characters, ASCII case pairs, and characters outside ASCII that
 * have no case (so every database's lower() agrees) or one that none of the rows varies.
 */
export const NAMES = [
  'train',
  'Train',
  'TRAIN-big',
  'eval_50%',
  'eval_5x0',
  'eval 50 percent',
  'bang!mark',
  'back\\slash',
  'quote"d',
  'über-run',
  '🪨 cairn',
  '中文',
  'a',
  'ab',
  'a_b',
  'zz',
  'Zz',
];

export interface RunRow {
  id: string;
  namespace: string;
  experiment_id: string | null;
  display_name: string;
  description: string | null;
  recurring_run_id: string | null;
  state: string;
  storage_state: string;
  created_at: number;
  scheduled_at: number | null;
  finished_at: number | null;
}

export interface Seeded {
  runs: RunRow[];
  experimentIds: string[];
  recurringRunIds: string[];
}

/** `count` runs whose created_at values collide in sixes, with every nullable column NULL somewhere. */
export async function seedRuns(db: Kysely<CairnDatabase>, count: number): Promise<Seeded> {
  const experimentIds = [randomUUID(), randomUUID(), randomUUID()];
  await db
    .insertInto('experiments')
    .values(
      experimentIds.map((id, index) => ({
        id,
        name: `experiment-${index}`,
        display_name: `experiment-${index}`,
        created_at: T0,
        last_run_created_at: index === 2 ? null : T0 + index,
      })),
    )
    .execute();
  const recurringRunIds = [randomUUID(), randomUUID()];
  await db
    .insertInto('recurring_runs')
    .values(
      recurringRunIds.map((id) => ({
        id,
        display_name: 'nightly',
        runtime_config: '{}',
        trigger_kind: 'INTERVAL',
        interval_seconds: 60,
        created_at: T0,
        updated_at: T0,
      })),
    )
    .execute();
  const runs: RunRow[] = [];
  for (let i = 0; i < count; i++) {
    const state = RUN_STATES[(i * 7) % RUN_STATES.length] ?? 'PENDING';
    const createdAt = T0 + (i % 40) * 1000;
    const recurringRunId = i % 5 < 2 ? (recurringRunIds[i % 5] ?? null) : null;
    runs.push({
      id: randomUUID(),
      namespace: ['', 'team-a', 'team-b'][i % 3] ?? '',
      experiment_id: [...experimentIds, null][i % 4] ?? null,
      display_name: `${NAMES[i % NAMES.length]}${i % 2 === 0 ? '' : ` ${i % 4}`}`,
      description: i % 3 === 0 ? null : i % 3 === 1 ? '' : `about run ${i % 9}`,
      recurring_run_id: recurringRunId,
      state,
      storage_state: i % 6 === 0 ? 'ARCHIVED' : 'AVAILABLE',
      created_at: createdAt,
      scheduled_at: recurringRunId ? T0 + i * 60_000 : null,
      finished_at: FINAL.has(state) ? createdAt + (i % 11) * 100 : null,
    });
  }
  for (let start = 0; start < runs.length; start += 100) {
    await db
      .insertInto('runs')
      .values(runs.slice(start, start + 100).map((run) => ({ ...run, runtime_config: '{}', updated_at: T0 })))
      .execute();
  }
  return { runs, experimentIds, recurringRunIds };
}

/** The column each API name of runs reads, and how the model treats it. */
const RUN_KEYS: Record<string, { column: keyof RunRow; kind: 'string' | 'id' | 'timestamp' | 'enum' }> = {
  run_id: { column: 'id', kind: 'id' },
  id: { column: 'id', kind: 'id' },
  display_name: { column: 'display_name', kind: 'string' },
  name: { column: 'display_name', kind: 'string' },
  created_at: { column: 'created_at', kind: 'timestamp' },
  finished_at: { column: 'finished_at', kind: 'timestamp' },
  scheduled_at: { column: 'scheduled_at', kind: 'timestamp' },
  description: { column: 'description', kind: 'string' },
  namespace: { column: 'namespace', kind: 'string' },
  experiment_id: { column: 'experiment_id', kind: 'id' },
  state: { column: 'state', kind: 'enum' },
  storage_state: { column: 'storage_state', kind: 'enum' },
  recurring_run_id: { column: 'recurring_run_id', kind: 'id' },
};

export interface ApiPredicate {
  key: string;
  operation: string;
  string_value?: string;
  timestamp_value?: string;
  string_values?: { values: string[] };
}

/** Binary order: UTF-8 bytes, which is code point order. */
export function compareText(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

const asciiLower = (text: string) => text.replace(/[A-Z]/g, (letter) => letter.toLowerCase());

/** A run's value for an API key as KFP would hold it: '' or 0 where Cairn has NULL. */
function kfpValue(run: RunRow, key: string): string | number {
  const spec = RUN_KEYS[key];
  if (!spec) throw new Error(`the model knows no key ${key}`);
  const value = run[spec.column];
  return value ?? (spec.kind === 'timestamp' ? 0 : '');
}

/** Timestamps compared in nanoseconds, as BigInt, so sub-millisecond instants compare exactly. */
function nanos(text: string): bigint {
  const match = /^(.*?)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(text);
  if (!match) throw new Error(`the model cannot read ${text}`);
  const whole = BigInt(Date.parse(`${match[1]}${match[3]}`)) * 1_000_000n;
  return whole + BigInt((match[2] ?? '').padEnd(9, '0').slice(0, 9) || '0');
}

export function runMatches(run: RunRow, predicate: ApiPredicate): boolean {
  const actual = kfpValue(run, predicate.key);
  const isId = RUN_KEYS[predicate.key]?.kind === 'id';
  const norm = (text: string) => (isId ? text.toLowerCase() : text);
  if (predicate.operation === 'IN') {
    return (predicate.string_values?.values ?? []).map(norm).includes(actual as string);
  }
  if (predicate.operation === 'IS_SUBSTRING') {
    return asciiLower(actual as string).includes(asciiLower(predicate.string_value ?? ''));
  }
  const order =
    predicate.timestamp_value !== undefined
      ? Math.sign(Number(BigInt(actual) * 1_000_000n - nanos(predicate.timestamp_value)))
      : Math.sign(compareText(actual as string, norm(predicate.string_value ?? '')));
  switch (predicate.operation) {
    case 'EQUALS':
      return order === 0;
    case 'NOT_EQUALS':
      return order !== 0;
    case 'GREATER_THAN':
      return order > 0;
    case 'GREATER_THAN_EQUALS':
      return order >= 0;
    case 'LESS_THAN':
      return order < 0;
    case 'LESS_THAN_EQUALS':
      return order <= 0;
    default:
      throw new Error(`the model knows no operation ${predicate.operation}`);
  }
}

/** The ids a list should return, in order: filtered, sorted by (key, id) in one direction. */
export function expectedRunIds(runs: RunRow[], predicates: ApiPredicate[], sortBy: string): string[] {
  const [key = 'created_at', direction = 'asc'] = sortBy.trim().toLowerCase().split(/\s+/).filter(Boolean);
  const sign = direction === 'desc' ? -1 : 1;
  return runs
    .filter((run) => predicates.every((predicate) => runMatches(run, predicate)))
    .sort((a, b) => {
      const x = kfpValue(a, key);
      const y = kfpValue(b, key);
      const byKey =
        typeof x === 'number' && typeof y === 'number' ? x - y : compareText(String(x), String(y));
      return sign * (byKey !== 0 ? byKey : compareText(a.id, b.id));
    })
    .map((run) => run.id);
}

export interface Walk {
  ids: string[];
  pageSizes: number[];
  totals: number[];
}

/**
 * Lists every page, as a client does. With `restate`, each request repeats sort_by and filter beside the
 * token; without, it sends the token alone (KFP lets it).
 */
export async function walkPages<T extends ListTable, O extends { id: string }>(
  dialect: StoreDialect,
  resource: ListResource<T>,
  request: ListRequest,
  select: () => SelectQueryBuilder<CairnDatabase, T, O>,
  options: { restate?: boolean; scope?: string } = {},
): Promise<Walk> {
  const walk: Walk = { ids: [], pageSizes: [], totals: [] };
  let token = '';
  for (let page = 0; page < 1000; page++) {
    const sent =
      token === '' || options.restate
        ? { ...request, page_token: token }
        : { page_size: request.page_size, page_token: token };
    const result = await applyListQuery(
      select(),
      parseListRequest(sent, resource, { scope: options.scope }),
      dialect,
    );
    walk.ids.push(...result.rows.map((row) => row.id));
    walk.pageSizes.push(result.rows.length);
    walk.totals.push(result.totalSize);
    token = result.nextPageToken;
    if (token === '') return walk;
  }
  throw new Error('more than 1000 pages: the walk does not end');
}
