import {
  Empty,
  Id,
  ListRecurringRunsQuery,
  ListRecurringRunsResponse,
  NewRecurringRun,
  RecurringRun,
  Status,
} from '@cairn/sdk/api';
import type { JsonValue } from '@cairn/spec';
import type { Kysely } from 'kysely';
import Type from 'typebox';
import { getExperiment } from '../../catalog/experiments.ts';
import { checkName } from '../../catalog/names.ts';
import { experimentForRunNow } from '../../catalog/run-experiment.ts';
import { inWriteTransaction } from '../../engine/leases/write-transaction.ts';
import { createRecurringRun } from '../../engine/recurring/create-recurring-run.ts';
import {
  deleteRecurringRun,
  recurringRunNotFound,
  setRecurringRunEnabled,
} from '../../engine/recurring/manage-recurring-run.ts';
import { parseMaxConcurrency } from '../../engine/schedules/max-concurrency.ts';
import { parseTrigger } from '../../engine/schedules/parse-trigger.ts';
import type { StoreDialect } from '../../store/dialects/store-dialect.ts';
import type { CairnDatabase } from '../../store/tables.ts';
import type { ApiApp, ApiDeps } from '../api-app.ts';
import { applyListQuery } from '../listing/apply-list-query.ts';
import { RECURRING_RUNS } from '../listing/list-resources.ts';
import { parseListRequest } from '../listing/parse-list-request.ts';
import { resolveRunSource } from '../sources/run-source.ts';
import { recurringRunToWire } from '../wire/recurring-run-wire.ts';
import { customMethod } from './custom-method.ts';

const COLLECTION = '/apis/v2beta1/recurringruns';
const tags = ['RecurringRunService'];
const errors = { default: Status };
const ById = Type.Object({ recurring_run_id: Id });

export function recurringRunRoutes(app: ApiApp, { db, dialect }: ApiDeps): void {
  app.post(
    COLLECTION,
    {
      schema: {
        operationId: 'RecurringRunService_CreateRecurringRun',
        tags,
        body: NewRecurringRun,
        response: { 200: RecurringRun, ...errors },
      },
    },
    async (request) => readRecurringRun(db, await createFromWire(db, dialect, request.body)),
  );
  app.get(
    COLLECTION,
    {
      schema: {
        operationId: 'RecurringRunService_ListRecurringRuns',
        tags,
        querystring: ListRecurringRunsQuery,
        response: { 200: ListRecurringRunsResponse, ...errors },
      },
    },
    async (request) => {
      const namespace = request.query.namespace ?? '';
      const experimentId = request.query.experiment_id || undefined;
      const list = parseListRequest(request.query, RECURRING_RUNS, {
        scope: JSON.stringify([namespace, experimentId ?? '']),
      });
      let query = selectRecurringRuns(db).where('recurring_runs.namespace', '=', namespace);
      if (experimentId !== undefined) {
        await getExperiment(db, experimentId);
        query = query.where('recurring_runs.experiment_id', '=', experimentId);
      }
      const page = await applyListQuery(query, list, dialect);
      return {
        recurringRuns: page.rows.map(recurringRunToWire),
        total_size: page.totalSize,
        next_page_token: page.nextPageToken,
      };
    },
  );
  app.get(
    `${COLLECTION}/:recurring_run_id`,
    {
      schema: {
        operationId: 'RecurringRunService_GetRecurringRun',
        tags,
        params: ById,
        response: { 200: RecurringRun, ...errors },
      },
    },
    async (request) => readRecurringRun(db, request.params.recurring_run_id),
  );
  app.delete(
    `${COLLECTION}/:recurring_run_id`,
    {
      schema: {
        operationId: 'RecurringRunService_DeleteRecurringRun',
        tags,
        params: ById,
        response: { 200: Empty, ...errors },
      },
    },
    async (request) => {
      await deleteRecurringRun(db, dialect, request.params.recurring_run_id);
      return {};
    },
  );
  for (const [verb, operationId, enabled] of [
    ['enable', 'RecurringRunService_EnableRecurringRun', true],
    ['disable', 'RecurringRunService_DisableRecurringRun', false],
  ] as const) {
    app.post(
      customMethod(COLLECTION, 'recurring_run_id', verb),
      { schema: { operationId, tags, params: ById, response: { 200: Empty, ...errors } } },
      async (request) => {
        await setRecurringRunEnabled(db, dialect, request.params.recurring_run_id, enabled);
        return {};
      },
    );
  }
}

/**
 * Creates the recurring run a request describes; returns its id. What needs no database (name, trigger,
 * concurrency) is checked first, so a mistake there leaves nothing behind, not even the default experiment.
 */
async function createFromWire(
  db: Kysely<CairnDatabase>,
  dialect: StoreDialect,
  body: NewRecurringRun,
): Promise<string> {
  const displayName = checkName('a recurring run', 'display_name', body.display_name);
  // KFP accepts what parseTrigger warns about (a 5-field cron read as seconds first), and so does Cairn.
  const { trigger } = parseTrigger(body.trigger);
  const maxConcurrency = parseMaxConcurrency(body.max_concurrency);
  const source = await resolveRunSource(db, body, 'a recurring run');
  const wanted = body.experiment_id || undefined;
  const { experimentId } = await inWriteTransaction(db, dialect, (trx) =>
    experimentForRunNow(trx, dialect, wanted, 'recurring run'),
  );
  const root = body.runtime_config?.pipeline_root;
  return createRecurringRun(db, dialect, {
    displayName,
    ...(body.description === undefined ? {} : { description: body.description }),
    // A version is kept by reference, so that the recurring run shows which one it fires.
    ...(source.pipelineVersionId === undefined
      ? { pipelineSpec: source.pipelineSpec }
      : { pipelineVersionId: source.pipelineVersionId }),
    parameters: (body.runtime_config?.parameters ?? {}) as Record<string, JsonValue>,
    ...(root === undefined || root === '' ? {} : { pipelineRoot: root }),
    experimentId,
    trigger,
    maxConcurrency,
    ...(body.no_catchup === undefined ? {} : { noCatchup: body.no_catchup }),
    enabled: body.mode !== 'DISABLE',
  });
}

/** Recurring runs with the pipeline of the version each references, which the row does not keep. */
function selectRecurringRuns(db: Kysely<CairnDatabase>) {
  return db
    .selectFrom('recurring_runs')
    .leftJoin('pipeline_versions', 'pipeline_versions.id', 'recurring_runs.pipeline_version_id')
    .selectAll('recurring_runs')
    .select('pipeline_versions.pipeline_id');
}

async function readRecurringRun(db: Kysely<CairnDatabase>, id: string) {
  const row = await selectRecurringRuns(db).where('recurring_runs.id', '=', id).executeTakeFirst();
  if (row === undefined) throw recurringRunNotFound(id);
  return recurringRunToWire(row);
}
