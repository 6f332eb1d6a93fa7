/**
 * ListRuns page latency, over HTTP against the running server, and the floor it is compared with: the
 * keyset page query alone (the same WHERE, ORDER BY and LIMIT the handler sends, the same columns),
 * through the same Kysely instance, with neither the total_size count nor HTTP. The count is timed on its
 * own too, since every page pays for it.
 */
import { type Kysely, type SelectQueryBuilder, sql } from 'kysely';
import { predicateSql } from '../../packages/server/src/api/listing/filter-sql.ts';
import { RUNS } from '../../packages/server/src/api/listing/list-resources.ts';
import { parseFilter } from '../../packages/server/src/api/listing/parse-filter.ts';
import { RUN_LIST_COLUMNS } from '../../packages/server/src/catalog/runs.ts';
import type { StoreDialect } from '../../packages/server/src/store/dialects/store-dialect.ts';
import type { CairnDatabase } from '../../packages/server/src/store/tables.ts';
import { type Latency, sampleLatency } from './latency.ts';

export interface ListScenario {
  readonly name: string;
  readonly pageSize: number;
  /** `created_at desc`, or undefined for the default (created_at, oldest first). */
  readonly sortBy?: string;
  /** A KFP filter's predicates, as a client sends them. */
  readonly predicates?: readonly Record<string, string>[];
  /** Scoped to the largest experiment with `experiment_id`. */
  readonly inExperiment?: boolean;
  /** Pages walked with next_page_token before starting again from the first. */
  readonly pages: number;
}

export interface ScenarioFigures {
  readonly http: Latency;
  /** The page query alone, through Kysely: the floor. */
  readonly pageQuery: Latency;
  /** The count(*) behind total_size, alone. */
  readonly count: Latency;
}

export interface ListTarget {
  readonly baseUrl: string;
  readonly db: Kysely<CairnDatabase>;
  readonly dialect: StoreDialect;
  readonly experimentId: string;
}

interface ListResponse {
  runs: unknown[];
  total_size: number;
  next_page_token: string;
}

/** One GET per call, following next_page_token for `pages` pages, then from the first page again. */
function httpWalker({ baseUrl, experimentId }: ListTarget, scenario: ListScenario): () => Promise<void> {
  let token = '';
  let page = 0;
  return async () => {
    const params = new URLSearchParams({ page_size: String(scenario.pageSize) });
    if (scenario.sortBy) params.set('sort_by', scenario.sortBy);
    if (scenario.predicates) params.set('filter', JSON.stringify({ predicates: scenario.predicates }));
    if (scenario.inExperiment) params.set('experiment_id', experimentId);
    if (token) params.set('page_token', token);
    const response = await fetch(`${baseUrl}/apis/v2beta1/runs?${params}`);
    const body = (await response.json()) as ListResponse;
    if (response.status !== 200)
      throw new Error(`ListRuns answered ${response.status}: ${JSON.stringify(body)}`);
    if (body.runs.length === 0) throw new Error(`ListRuns returned an empty page for "${scenario.name}"`);
    page++;
    token = body.next_page_token;
    if (token === '' || page >= scenario.pages) {
      token = '';
      page = 0;
    }
  };
}

type RunsQuery = SelectQueryBuilder<CairnDatabase, 'runs', object>;

/** The handler's WHERE: the namespace, the experiment, the filter's predicates (its own SQL for them). */
function scoped(db: Kysely<CairnDatabase>, target: ListTarget, scenario: ListScenario): RunsQuery {
  const predicates = scenario.predicates
    ? parseFilter(JSON.stringify({ predicates: scenario.predicates }), RUNS)
    : [];
  let query: RunsQuery = db.selectFrom('runs').where('namespace', '=', '');
  if (scenario.inExperiment) query = query.where('experiment_id', '=', target.experimentId);
  for (const predicate of predicates) query = query.where(predicateSql('runs', predicate, target.dialect));
  return query;
}

/** The same walk as `httpWalker`, as the bare keyset query: `limit n + 1` after the last row's (created_at, id). */
function pageQueryWalker(target: ListTarget, scenario: ListScenario): () => Promise<void> {
  const descending = scenario.sortBy?.endsWith('desc') ?? false;
  const direction = descending ? 'desc' : 'asc';
  const reached = sql.raw(descending ? '<=' : '>=');
  const beyond = sql.raw(descending ? '<' : '>');
  let after: { createdAt: number; id: string } | undefined;
  let page = 0;
  return async () => {
    let query = scoped(target.db, target, scenario).select(RUN_LIST_COLUMNS);
    if (after) {
      const { createdAt, id } = after;
      query = query.where(
        sql<boolean>`runs.created_at ${reached} ${createdAt} and (runs.created_at ${beyond} ${createdAt} or runs.id ${beyond} ${id})`,
      );
    }
    const rows = await query
      .orderBy('runs.created_at', direction)
      .orderBy('runs.id', direction)
      .limit(scenario.pageSize + 1)
      .execute();
    if (rows.length === 0) throw new Error(`the page query returned no rows for "${scenario.name}"`);
    page++;
    const last = rows[scenario.pageSize - 1];
    after = rows.length > scenario.pageSize && last ? { createdAt: last.created_at, id: last.id } : undefined;
    if (after === undefined || page >= scenario.pages) {
      after = undefined;
      page = 0;
    }
  };
}

export async function measureScenario(
  target: ListTarget,
  scenario: ListScenario,
  { samples, warmup }: { samples: number; warmup: number },
): Promise<ScenarioFigures> {
  const http = await sampleLatency(httpWalker(target, scenario), { samples, warmup });
  const pageQuery = await sampleLatency(pageQueryWalker(target, scenario), { samples, warmup });
  const countQuery = scoped(target.db, target, scenario).select(sql<number>`count(*)`.as('total_size'));
  const count = await sampleLatency(() => countQuery.executeTakeFirstOrThrow(), {
    samples: Math.ceil(samples / 2),
    warmup: Math.ceil(warmup / 2),
  });
  return { http, pageQuery, count };
}

/** The HTTP floor: a healthz round trip through the same client and server, which reads no database. */
export async function measureHealthz(
  baseUrl: string,
  options: { samples: number; warmup: number },
): Promise<Latency> {
  return sampleLatency(async () => {
    const response = await fetch(`${baseUrl}/apis/v2beta1/healthz`);
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`healthz answered ${response.status}`);
  }, options);
}
