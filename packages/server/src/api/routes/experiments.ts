import {
  Empty,
  Experiment,
  Id,
  ListExperimentsQuery,
  ListExperimentsResponse,
  NewExperiment,
  Status,
} from '@cairn/sdk/api';
import Type from 'typebox';
import {
  archiveExperiment,
  createExperiment,
  deleteExperiment,
  getExperiment,
  unarchiveExperiment,
} from '../../catalog/experiments.ts';
import type { ApiApp, ApiDeps } from '../api-app.ts';
import { applyListQuery } from '../listing/apply-list-query.ts';
import { EXPERIMENTS } from '../listing/list-resources.ts';
import { parseListRequest } from '../listing/parse-list-request.ts';
import { experimentToWire } from '../wire/experiment-wire.ts';
import { customMethod } from './custom-method.ts';

const COLLECTION = '/apis/v2beta1/experiments';
const tags = ['ExperimentService'];
const ById = Type.Object({ experiment_id: Id });
const errors = { default: Status };

export function experimentRoutes(app: ApiApp, { db, dialect }: ApiDeps): void {
  app.post(
    COLLECTION,
    {
      schema: {
        operationId: 'ExperimentService_CreateExperiment',
        tags,
        body: NewExperiment,
        response: { 200: Experiment, ...errors },
      },
    },
    async (request) => {
      const { display_name, description, namespace } = request.body;
      const row = await createExperiment(db, dialect, {
        displayName: display_name ?? '',
        ...(description === undefined ? {} : { description }),
        ...(namespace === undefined ? {} : { namespace }),
      });
      return experimentToWire(row);
    },
  );
  app.get(
    COLLECTION,
    {
      schema: {
        operationId: 'ExperimentService_ListExperiments',
        tags,
        querystring: ListExperimentsQuery,
        response: { 200: ListExperimentsResponse, ...errors },
      },
    },
    async (request) => {
      const namespace = request.query.namespace ?? '';
      const list = parseListRequest(request.query, EXPERIMENTS, { scope: namespace });
      const page = await applyListQuery(
        db.selectFrom('experiments').selectAll().where('namespace', '=', namespace),
        list,
        dialect,
      );
      return {
        experiments: page.rows.map(experimentToWire),
        total_size: page.totalSize,
        next_page_token: page.nextPageToken,
      };
    },
  );
  app.get(
    '/apis/v2beta1/experiments/:experiment_id',
    {
      schema: {
        operationId: 'ExperimentService_GetExperiment',
        tags,
        params: ById,
        response: { 200: Experiment, ...errors },
      },
    },
    async (request) => experimentToWire(await getExperiment(db, request.params.experiment_id)),
  );
  app.delete(
    '/apis/v2beta1/experiments/:experiment_id',
    {
      schema: {
        operationId: 'ExperimentService_DeleteExperiment',
        tags,
        params: ById,
        response: { 200: Empty, ...errors },
      },
    },
    async (request) => {
      await deleteExperiment(db, dialect, request.params.experiment_id);
      return {};
    },
  );
  app.post(
    customMethod(COLLECTION, 'experiment_id', 'archive'),
    {
      schema: {
        operationId: 'ExperimentService_ArchiveExperiment',
        tags,
        params: ById,
        response: { 200: Empty, ...errors },
      },
    },
    async (request) => {
      await archiveExperiment(db, dialect, request.params.experiment_id);
      return {};
    },
  );
  app.post(
    customMethod(COLLECTION, 'experiment_id', 'unarchive'),
    {
      schema: {
        operationId: 'ExperimentService_UnarchiveExperiment',
        tags,
        params: ById,
        response: { 200: Empty, ...errors },
      },
    },
    async (request) => {
      await unarchiveExperiment(db, dialect, request.params.experiment_id);
      return {};
    },
  );
}
