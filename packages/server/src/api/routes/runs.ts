import { Empty, Id, ListRunsQuery, ListRunsResponse, NewRun, Run, Status } from '@cairn/sdk/api';
import type { JsonValue } from '@cairn/spec';
import type { Kysely } from 'kysely';
import Type from 'typebox';
import { getExperiment } from '../../catalog/experiments.ts';
import { checkName } from '../../catalog/names.ts';
import { loadRunDetails, loadTaskDetails, taskDetailsOfInserted } from '../../catalog/run-details.ts';
import { experimentForRunNow, noteRunCreated } from '../../catalog/run-experiment.ts';
import { archiveRun, deleteRun, getRun, RUN_LIST_COLUMNS, unarchiveRun } from '../../catalog/runs.ts';
import { inWriteTransaction } from '../../engine/leases/write-transaction.ts';
import { insertRun, prepareRun } from '../../engine/runs/create-run.ts';
import { retryRun } from '../../engine/runs/retry-run.ts';
import { RUN_STATE } from '../../engine/runs/run-state.ts';
import { terminateRun } from '../../engine/runs/terminate-run.ts';
import { InsertJournal } from '../../store/insert-journal.ts';
import type { CairnDatabase } from '../../store/tables.ts';
import type { ApiApp, ApiDeps } from '../api-app.ts';
import { applyListQuery } from '../listing/apply-list-query.ts';
import { RUNS } from '../listing/list-resources.ts';
import { parseListRequest } from '../listing/parse-list-request.ts';
import { resolveRunSource } from '../sources/run-source.ts';
import { runToWire } from '../wire/run-wire.ts';
import { customMethod } from './custom-method.ts';

const COLLECTION = '/apis/v2beta1/runs';
const tags = ['RunService'];
const errors = { default: Status };
const ById = Type.Object({ run_id: Id });
/** KFP's GetRun still takes the experiment it once needed; it narrows nothing. */
const GetRunQuery = Type.Object({ experiment_id: Type.Optional(Type.String()) });

export function runRoutes(app: ApiApp, { db, dialect, terminations }: ApiDeps): void {
  app.post(
    COLLECTION,
    {
      schema: {
        operationId: 'RunService_CreateRun',
        tags,
        body: NewRun,
        response: { 200: Run, ...errors },
      },
    },
    async (request) => {
      const body = request.body;
      const displayName = checkName('a run', 'display_name', body.display_name);
      const source = await resolveRunSource(db, body, 'a run');
      const root = body.runtime_config?.pipeline_root;
      // Planning and the parameter checks happen before the write transaction, so they never hold it.
      const prepared = prepareRun({
        displayName,
        ...(body.description === undefined ? {} : { description: body.description }),
        ...source,
        parameters: (body.runtime_config?.parameters ?? {}) as Record<string, JsonValue>,
        ...(root === undefined || root === '' ? {} : { pipelineRoot: root }),
      });
      const created = await inWriteTransaction(db, dialect, async (trx) => {
        const { experimentId, lastRunCreatedAt, now } = await experimentForRunNow(
          trx,
          dialect,
          body.experiment_id,
          'run',
        );
        const journal = new InsertJournal();
        const run = await insertRun(
          trx.withPlugin(journal),
          dialect,
          { ...prepared, run: { ...prepared.run, experimentId } },
          now,
        );
        // The reply is the run as this transaction leaves it, which is what GetRun reads once it commits:
        // the row and history as insertRun wrote them, and the tasks (with any artifacts) its first pass
        // made, read here rather than after the commit, when a worker may already be changing them. When
        // that pass only inserted the run's rows and tasks (no lineage, no update), the journal of its
        // inserts gives the tasks without the round trip.
        const inserted = journal.insertsOnlyInto(['runs', 'run_state_history', 'tasks'])?.get('tasks');
        const tasks =
          (inserted && taskDetailsOfInserted(inserted)) ?? (await loadTaskDetails(trx, run.row.id));
        // Last, so that when it does lock the experiment's row, it holds it for the least time.
        await noteRunCreated(trx, experimentId, now, lastRunCreatedAt);
        return { run, tasks };
      });
      return runToWire(created.run.row, { ...created.tasks, history: created.run.history });
    },
  );
  app.get(
    COLLECTION,
    {
      schema: {
        operationId: 'RunService_ListRuns',
        tags,
        querystring: ListRunsQuery,
        response: { 200: ListRunsResponse, ...errors },
      },
    },
    async (request) => {
      const namespace = request.query.namespace ?? '';
      const experimentId = request.query.experiment_id || undefined;
      const list = parseListRequest(request.query, RUNS, {
        scope: JSON.stringify([namespace, experimentId ?? '']),
      });
      if (experimentId !== undefined) await getExperiment(db, experimentId);
      let query = db.selectFrom('runs').select(RUN_LIST_COLUMNS).where('namespace', '=', namespace);
      if (experimentId !== undefined) query = query.where('experiment_id', '=', experimentId);
      const page = await applyListQuery(query, list, dialect);
      return {
        runs: page.rows.map((row) => runToWire({ ...row, pipeline_spec: null })),
        total_size: page.totalSize,
        next_page_token: page.nextPageToken,
      };
    },
  );
  app.get(
    `${COLLECTION}/:run_id`,
    {
      schema: {
        operationId: 'RunService_GetRun',
        tags,
        params: ById,
        querystring: GetRunQuery,
        response: { 200: Run, ...errors },
      },
    },
    async (request) => readRun(db, request.params.run_id),
  );
  app.delete(
    `${COLLECTION}/:run_id`,
    {
      schema: {
        operationId: 'RunService_DeleteRun',
        tags,
        params: ById,
        querystring: GetRunQuery,
        response: { 200: Empty, ...errors },
      },
    },
    async (request) => {
      await deleteRun(db, dialect, request.params.run_id);
      return {};
    },
  );
  const actions = [
    ['archive', 'RunService_ArchiveRun', (id: string) => archiveRun(db, dialect, id)],
    ['unarchive', 'RunService_UnarchiveRun', (id: string) => unarchiveRun(db, dialect, id)],
    [
      'terminate',
      'RunService_TerminateRun',
      async (id: string) => {
        if ((await terminateRun(db, dialect, id)) === RUN_STATE.CANCELING) terminations?.terminated(id);
      },
    ],
    ['retry', 'RunService_RetryRun', (id: string) => retryRun(db, dialect, id)],
  ] as const;
  for (const [verb, operationId, act] of actions) {
    app.post(
      customMethod(COLLECTION, 'run_id', verb),
      { schema: { operationId, tags, params: ById, response: { 200: Empty, ...errors } } },
      async (request) => {
        await act(request.params.run_id);
        return {};
      },
    );
  }
}

async function readRun(db: Kysely<CairnDatabase>, runId: string) {
  const row = await getRun(db, runId);
  return runToWire(row, await loadRunDetails(db, runId));
}
