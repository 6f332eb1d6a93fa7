import {
  ArtifactConsumers,
  ArtifactConsumersQuery,
  ArtifactLineage,
  ArtifactLineageQuery,
  Id,
  RunArtifacts,
  Status,
} from '@cairn/sdk/api';
import Type from 'typebox';
import { artifactNotFound } from '../../catalog/artifacts.ts';
import { runNotFound } from '../../catalog/runs.ts';
import { queryArtifactConsumers } from '../../engine/lineage/queries/artifact-consumers.ts';
import { traceArtifactLineage } from '../../engine/lineage/queries/artifact-lineage.ts';
import { queryRunArtifacts } from '../../engine/lineage/queries/run-artifacts.ts';
import type { ApiApp, ApiDeps } from '../api-app.ts';
import { storedId } from '../stored-id.ts';
import { consumersToWire, lineageToWire, runArtifactsToWire } from '../wire/lineage-wire.ts';

const ByArtifact = Type.Object({ artifact_id: Id });
const errors = { default: Status };

/** Cairn's lineage, which KFP keeps in ML Metadata without a REST API of its own. */
export function lineageRoutes(app: ApiApp, { db }: ApiDeps): void {
  app.get(
    '/apis/v2beta1/artifacts/:artifact_id/lineage',
    {
      schema: {
        operationId: 'ArtifactService_GetArtifactLineage',
        tags: ['ArtifactService'],
        description:
          'The chain from an artifact back to what it was made from: its producer, the inputs it read, their producers...',
        params: ByArtifact,
        querystring: ArtifactLineageQuery,
        response: { 200: ArtifactLineage, ...errors },
      },
    },
    async (request) => {
      const { artifact_id } = request.params;
      const id = storedId(artifact_id);
      const { max_depth } = request.query;
      const lineage =
        id === undefined
          ? undefined
          : await traceArtifactLineage(db, id, max_depth === undefined ? {} : { maxDepth: max_depth });
      if (lineage === undefined) throw artifactNotFound(artifact_id);
      return lineageToWire(lineage);
    },
  );
  app.get(
    '/apis/v2beta1/artifacts/:artifact_id/consumers',
    {
      schema: {
        operationId: 'ArtifactService_ListArtifactConsumers',
        tags: ['ArtifactService'],
        description: 'The executions that read an artifact, with their tasks and runs, newest first.',
        params: ByArtifact,
        querystring: ArtifactConsumersQuery,
        response: { 200: ArtifactConsumers, ...errors },
      },
    },
    async (request) => {
      const { artifact_id } = request.params;
      const id = storedId(artifact_id);
      const { limit } = request.query;
      const consumed =
        id === undefined
          ? undefined
          : await queryArtifactConsumers(db, id, limit === undefined ? {} : { limit });
      if (consumed === undefined) throw artifactNotFound(artifact_id);
      return consumersToWire(consumed);
    },
  );
  app.get(
    '/apis/v2beta1/runs/:run_id/artifacts',
    {
      schema: {
        operationId: 'RunService_ListRunArtifacts',
        tags: ['RunService'],
        description:
          "What a run produced: each execution of its tasks, oldest first, with its output artifacts by output name. For a flat list, see ListArtifacts's run_id.",
        params: Type.Object({ run_id: Id }),
        response: { 200: RunArtifacts, ...errors },
      },
    },
    async (request) => {
      const { run_id } = request.params;
      const id = storedId(run_id);
      const produced = id === undefined ? undefined : await queryRunArtifacts(db, id);
      if (produced === undefined) throw runNotFound(run_id);
      return runArtifactsToWire(produced);
    },
  );
}
