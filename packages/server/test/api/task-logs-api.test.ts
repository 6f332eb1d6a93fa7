// Task logs through the API: a finished task's log, a running task's log followed as it grows until the
// task ends, a task not started yet, the 404s, and a follower that hangs up. Tasks really run, as local
// processes of a worker, on every dialect.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { compile, containerComponent, Parameter, pipeline } from '@cairn/sdk';
import type { ArtifactStore } from '../../src/artifacts/artifact-store.ts';
import { dialectTargets } from '../support/test-databases.ts';
import { type EngineApi, startEngineApi } from './support/engine-api.ts';

const RUNS = '/apis/v2beta1/runs';

/** `gated` prints a line, waits for its gate file, prints another; `after-gate` runs once it is done. */
function gatedPipeline(name: string, gate: string): string {
  const gated = containerComponent({
    name: 'gated',
    image: 'busybox',
    inputs: { gate: Parameter.String },
    command: ({ inputs }) => [
      'sh',
      '-c',
      'echo first; while [ ! -f "$0" ]; do sleep 0.05; done; echo second',
      inputs.gate,
    ],
  });
  const later = containerComponent({ name: 'after-gate', image: 'busybox', command: ['echo', 'after ran'] });
  return compile(
    pipeline({ name }, () => {
      later().after(gated({ gate }));
    }),
  );
}

/** Counts the store's reads, to tell whether anything still polls it. */
class CountingStore {
  reads = 0;

  wrap(store: ArtifactStore): ArtifactStore {
    const counted =
      <A extends unknown[], R>(read: (...args: A) => R) =>
      (...args: A): R => {
        this.reads++;
        return read(...args);
      };
    return {
      url: store.url,
      put: (key, body) => store.put(key, body),
      get: counted((key, range) => store.get(key, range)),
      stat: counted((key) => store.stat(key)),
      list: counted((prefix) => store.list(prefix)),
      delete: (key) => store.delete(key),
      close: () => store.close(),
    };
  }
}

for (const { dialect, skip } of await dialectTargets()) {
  describe(`task logs API on ${dialect}`, { skip }, () => {
    let api: EngineApi;
    let base: string;
    let scratch: string;
    const counting = new CountingStore();
    const gates: string[] = [];

    before(async () => {
      api = await startEngineApi(dialect, { apiStore: (store) => counting.wrap(store) });
      await api.app.listen({ port: 0, host: '127.0.0.1' });
      base = `http://127.0.0.1:${(api.app.server.address() as AddressInfo).port}`;
      scratch = mkdtempSync(path.join(os.tmpdir(), 'cairn-task-logs-'));
    });
    after(async () => {
      // A failed test may have left a task waiting at its gate, which the worker would wait for.
      for (const gate of gates) writeFileSync(gate, '');
      await api.close();
      rmSync(scratch, { recursive: true, force: true });
    });

    const logUrl = (runId: string, taskId: string, query = '') =>
      `${RUNS}/${runId}/tasks/${taskId}/logs${query}`;
    const readLog = (runId: string, taskId: string, query = '') =>
      api.app.inject({ method: 'GET', url: logUrl(runId, taskId, query) });

    /** Starts a gated run and waits until its gated task has printed its first line. */
    async function startGatedRun(name: string) {
      const gate = path.join(scratch, `${name}.gate`);
      gates.push(gate);
      const runId = await api.run(gatedPipeline(`${name}-${dialect}`, gate));
      const deadline = Date.now() + 30_000;
      for (;;) {
        const gated = (await api.tasks(runId)).get('root/gated');
        if (gated !== undefined && (await readLog(runId, gated.id)).body === 'first\n') {
          return { runId, gate, tasks: await api.tasks(runId) };
        }
        if (Date.now() > deadline) throw new Error(`the gated task of run ${runId} printed nothing`);
        await sleep(50);
      }
    }

    /** Reads a streamed response chunk by chunk, as text. */
    async function* chunksOf(response: Response): AsyncGenerator<string> {
      assert.ok(response.body);
      const decoder = new TextDecoder();
      for await (const bytes of response.body) yield decoder.decode(bytes, { stream: true });
    }

    test("a finished task's log: whole, from an offset, and past its end", async () => {
      const { runId, gate, tasks } = await startGatedRun('finished');
      writeFileSync(gate, '');
      assert.equal(await api.waitForRun(runId), 'SUCCEEDED');
      const taskId = tasks.get('root/gated')?.id ?? '';

      const whole = await readLog(runId, taskId);
      assert.equal(whole.statusCode, 200);
      assert.equal(whole.headers['content-type'], 'text/plain; charset=utf-8');
      assert.equal(whole.body, 'first\nsecond\n');
      assert.equal((await readLog(runId, taskId, '?offset=6')).body, 'second\n');
      assert.equal((await readLog(runId.toUpperCase(), taskId.toUpperCase())).body, 'first\nsecond\n');
      assert.equal((await readLog(runId, taskId, '?offset=3&follow=true')).body, 'st\nsecond\n');
      const past = await readLog(runId, taskId, '?offset=1000&follow=true');
      assert.deepEqual([past.statusCode, past.body], [200, '']);
      const root = tasks.get('root')?.id ?? '';
      assert.equal((await readLog(runId, root)).body, '', 'a DAG has no log of its own');
    });

    test('follow streams a running task as it writes, and ends when the task does', async () => {
      const { runId, gate, tasks } = await startGatedRun('follow');
      const response = await fetch(
        `${base}${logUrl(runId, tasks.get('root/gated')?.id ?? '', '?follow=true')}`,
      );
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-type'), 'text/plain; charset=utf-8');
      const chunks = chunksOf(response);
      assert.equal((await chunks.next()).value, 'first\n');
      assert.equal((await api.tasks(runId)).get('root/gated')?.state, 'RUNNING', 'sent while it runs');
      writeFileSync(gate, '');
      let rest = '';
      for await (const text of chunks) rest += text;
      assert.equal(rest, 'second\n');
      assert.equal((await api.tasks(runId)).get('root/gated')?.state, 'SUCCEEDED', 'ended with the task');
      assert.equal(await api.waitForRun(runId), 'SUCCEEDED');
    });

    test('a task not started reads as empty; a follower waits for it to start', async () => {
      await api.stopWorker();
      const gate = path.join(scratch, 'queued.gate');
      gates.push(gate);
      const runId = await api.run(gatedPipeline(`queued-${dialect}`, gate));
      const queued = (await api.tasks(runId)).get('root/gated');
      assert.equal(queued?.state, 'QUEUED');
      const taskId = queued?.id ?? '';
      assert.deepEqual(
        [(await readLog(runId, taskId)).body, (await readLog(runId, taskId, '?offset=5')).body],
        ['', ''],
      );
      const followed = readLog(runId, taskId, '?follow=true');
      await sleep(700);
      api.startWorker();
      writeFileSync(gate, '');
      const answer = await followed;
      assert.deepEqual([answer.statusCode, answer.body], [200, 'first\nsecond\n']);
      assert.equal(await api.waitForRun(runId), 'SUCCEEDED');
    });

    test('a follower that hangs up stops the polling', async () => {
      const { runId, gate, tasks } = await startGatedRun('hang-up');
      const gatedId = tasks.get('root/gated')?.id ?? '';
      const hangUp = new AbortController();
      const response = await fetch(`${base}${logUrl(runId, gatedId, '?follow=true')}`, {
        signal: hangUp.signal,
      });
      const chunks = chunksOf(response);
      assert.equal((await chunks.next()).value, 'first\n');
      const polling = counting.reads;
      await sleep(1000);
      assert.ok(counting.reads > polling, 'the follower polls the store while the task runs');

      hangUp.abort();
      await sleep(300);
      const stopped = counting.reads;
      await sleep(1000);
      assert.equal(counting.reads, stopped, 'nothing polls once the client has gone');
      writeFileSync(gate, '');
      assert.equal(await api.waitForRun(runId), 'SUCCEEDED');
    });

    test("a retried task's attempts each keep their log; attempt picks one, and only one it made", async () => {
      // Fails on its first attempt (no marker yet), leaving the marker; succeeds on its second.
      const marker = path.join(scratch, `flaky-${dialect}`);
      const flaky = containerComponent({
        name: 'flaky',
        image: 'busybox',
        inputs: { marker: Parameter.String },
        command: ({ inputs }) => [
          'sh',
          '-c',
          'if [ -f "$0" ]; then echo second try; else touch "$0"; echo first try; exit 3; fi',
          inputs.marker,
        ],
      });
      const runId = await api.run(
        compile(
          pipeline({ name: `flaky-${dialect}` }, () => {
            flaky({ marker }).setRetry({ maxRetryCount: 1, backoffDuration: '0s', backoffFactor: 1 });
          }),
        ),
      );
      assert.equal(await api.waitForRun(runId), 'SUCCEEDED');
      const taskId = (await api.tasks(runId)).get('root/flaky')?.id ?? '';
      assert.equal((await readLog(runId, taskId)).body, 'second try\n', 'the latest attempt by default');
      assert.equal((await readLog(runId, taskId, '?attempt=2')).body, 'second try\n');
      const first = 'first try\n[cairn] the command exited with code 3\n';
      assert.equal((await readLog(runId, taskId, '?attempt=1')).body, first);
      assert.equal((await readLog(runId, taskId, '?attempt=1&follow=true')).body, first);
      assert.equal((await readLog(runId, taskId, '?attempt=1&offset=6')).body, first.slice(6));
      const beyond = await readLog(runId, taskId, '?attempt=3');
      assert.deepEqual(
        [beyond.statusCode, JSON.parse(beyond.body).message],
        [400, `attempt 3: task ${taskId} has made 2 attempts (1 to 2)`],
      );
      const root = (await api.tasks(runId)).get('root')?.id ?? '';
      const dag = await readLog(runId, root, '?attempt=1');
      assert.deepEqual(
        [dag.statusCode, JSON.parse(dag.body).message],
        [400, `attempt 1: task ${root} has made no attempt, so it has no log`],
      );
      const zero = await readLog(runId, taskId, '?attempt=0');
      assert.equal(zero.statusCode, 400);
      assert.match(JSON.parse(zero.body).message, /querystring\.attempt is 0; it must be >= 1/);
    });

    test('unknown runs and tasks, and a task of another run, are 404s that name the id', async () => {
      const { runId, gate, tasks } = await startGatedRun('not-found');
      writeFileSync(gate, '');
      const other = await startGatedRun('other');
      writeFileSync(other.gate, '');
      const taskId = tasks.get('root/gated')?.id ?? '';
      const otherTask = other.tasks.get('root/gated')?.id ?? '';
      const missing = randomUUID();
      const cases: [string, string, string][] = [
        [missing, taskId, `run ${missing} does not exist`],
        [runId, missing, `task ${missing} does not exist`],
        [runId, otherTask, `task ${otherTask} is not a task of run ${runId}`],
      ];
      for (const [run, task, message] of cases) {
        const answer = await readLog(run, task);
        assert.deepEqual(
          [answer.statusCode, JSON.parse(answer.body)],
          [404, { code: 5, message, details: [] }],
          `${run}/${task}`,
        );
      }
      await api.waitForRun(runId);
      await api.waitForRun(other.runId);
    });

    test('ids, offset and follow are checked', async () => {
      const runId = randomUUID();
      const taskId = randomUUID();
      const notUuid = await readLog('not-a-run', taskId);
      assert.deepEqual(
        [notUuid.statusCode, JSON.parse(notUuid.body).message],
        [400, 'params.run_id is "not-a-run"; expected a UUID'],
      );
      for (const [query, message] of [
        ['?offset=-1', /querystring\.offset is -1; it must be >= 0/],
        ['?offset=x', /querystring\.offset is "x"; expected an integer/],
        ['?follow=maybe', /querystring\.follow is "maybe"; expected a boolean/],
      ] as const) {
        const answer = await readLog(runId, taskId, query);
        assert.equal(answer.statusCode, 400, query);
        assert.match(JSON.parse(answer.body).message, message);
      }
    });

    test('the OpenAPI document describes the log as streamed text', async () => {
      const answer = await api.app.inject({ method: 'GET', url: '/apis/v2beta1/openapi.json' });
      const operation = JSON.parse(answer.body).paths['/apis/v2beta1/runs/{run_id}/tasks/{task_id}/logs'].get;
      assert.equal(operation.operationId, 'RunService_ReadTaskLog');
      assert.deepEqual(Object.keys(operation.responses['200'].content), ['text/plain']);
      assert.deepEqual(operation.parameters.map((parameter: { name: string }) => parameter.name).sort(), [
        'attempt',
        'follow',
        'offset',
        'run_id',
        'task_id',
      ]);
    });
  });
}
