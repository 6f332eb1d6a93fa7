import { Readable } from 'node:stream';
import { Id, Status } from '@cairn/sdk/api';
import Type from 'typebox';
import type { ApiApp, ApiDeps } from '../api-app.ts';
import { streamedBody } from '../streamed-body.ts';
import { checkAttempt, findRunTask, taskLogBytes } from '../task-log-stream.ts';

const ReadTaskLogQuery = Type.Object({
  follow: Type.Optional(
    Type.Boolean({
      default: false,
      description: 'Keep the response open and send what the task writes until its attempt ends.',
    }),
  ),
  offset: Type.Optional(
    Type.Integer({ minimum: 0, default: 0, description: 'The byte to start at, e.g. after a reconnection.' }),
  ),
  attempt: Type.Optional(
    Type.Integer({
      minimum: 1,
      description: "Which attempt's log, 1 for the first; the latest by default. A retried task keeps each.",
    }),
  ),
});

/** Cairn's task logs, which KFP leaves to Kubernetes (its UI reads pod logs). */
export function taskLogRoutes(app: ApiApp, { db, artifactStore }: ApiDeps): void {
  app.get(
    '/apis/v2beta1/runs/:run_id/tasks/:task_id/logs',
    {
      schema: {
        operationId: 'RunService_ReadTaskLog',
        tags: ['RunService'],
        description:
          "The log of the task's latest attempt (or of `attempt`), streamed as text; empty until the task " +
          'starts. With follow, the answer lasts until that attempt ends (a retried task writes one log per ' +
          'attempt).',
        params: Type.Object({ run_id: Id, task_id: Id }),
        querystring: ReadTaskLogQuery,
        response: {
          200: streamedBody('The log from `offset` on.', 'text/plain'),
          default: Status,
        },
      },
    },
    async (request, reply) => {
      const task = await findRunTask(db, request.params.run_id, request.params.task_id);
      const { attempt } = request.query;
      if (attempt !== undefined) checkAttempt(task, attempt);
      const closed = new AbortController();
      // The response closes when the log ends or when the client goes away; either way, stop polling.
      reply.raw.once('close', () => closed.abort());
      const body = Readable.from(
        taskLogBytes(db, artifactStore, task, {
          offset: request.query.offset ?? 0,
          follow: request.query.follow ?? false,
          signal: closed.signal,
          ...(attempt === undefined ? {} : { attempt }),
        }),
        { objectMode: false },
      );
      return reply
        .type('text/plain; charset=utf-8')
        .header('cache-control', 'no-store')
        .header('x-content-type-options', 'nosniff')
        .send(body);
    },
  );
}
