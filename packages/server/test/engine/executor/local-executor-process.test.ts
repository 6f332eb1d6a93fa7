// The LocalExecutor with real processes and a real file-system artifact store: logs, termination,
// cancellation, failures, outputs, placeholders, environment and limits.
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { ComponentInputsPlan, ComponentOutputsPlan, ContainerSpec } from '@cairn/spec';
import type { ArtifactStore } from '../../../src/artifacts/artifact-store.ts';
import { FsArtifactStore } from '../../../src/artifacts/fs-artifact-store.ts';
import { findExecutable } from '../../../src/engine/executor/local/find-executable.ts';
import {
  LocalExecutor,
  type LocalExecutorOptions,
} from '../../../src/engine/executor/local/local-executor.ts';
import { readTaskLog } from '../../../src/engine/executor/logs/read-task-log.ts';
import type {
  ExecutableTask,
  ExecutionContext,
  ExecutionResult,
  InputArtifact,
} from '../../../src/engine/executor/task-executor.ts';
import { taskLogKey } from '../../../src/engine/executor/task-keys.ts';
import { IN_CI } from '../../support/services.ts';

const NODE_BIN = fileURLToPath(new URL('../../../../../node_modules/.bin', import.meta.url));
const PATH = `${NODE_BIN}:${process.env.PATH ?? ''}`;
const NO_INPUTS: ComponentInputsPlan = { parameters: {}, artifacts: {} };
const NO_OUTPUTS: ComponentOutputsPlan = { parameters: {}, artifacts: {} };

let scratch: string;
let store: ArtifactStore;
let workDir: string;

before(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'cairn-local-executor-'));
  store = new FsArtifactStore(path.join(scratch, 'store'));
  workDir = path.join(scratch, 'tasks');
});
after(() => rm(scratch, { recursive: true, force: true }));

function task(
  container: Omit<ContainerSpec, 'image'>,
  overrides: Partial<ExecutableTask> = {},
): ExecutableTask {
  const runId = randomUUID();
  return {
    runId,
    taskId: randomUUID(),
    taskPath: 'root/step',
    taskName: 'step',
    attempt: 0,
    pipelineName: 'process-tests',
    pipelineRoot: store.url,
    container: { image: 'alpine:3.20', ...container },
    inputDefinitions: NO_INPUTS,
    outputDefinitions: NO_OUTPUTS,
    inputParameters: {},
    inputArtifacts: {},
    system: { jobName: 'process tests', jobUuid: runId, jobCreateTime: Date.UTC(2026, 0, 2, 3, 4, 5, 678) },
    ...overrides,
  };
}

function executor(options: LocalExecutorOptions = {}): LocalExecutor {
  return new LocalExecutor({ env: { PATH }, killGraceMs: 1000, ...options });
}

function run(
  container: Omit<ContainerSpec, 'image'>,
  overrides: Partial<ExecutableTask> = {},
  context: Partial<ExecutionContext> = {},
  options: LocalExecutorOptions = {},
): Promise<ExecutionResult> {
  return executor(options).run(task(container, overrides), { artifactStore: store, workDir, ...context });
}

async function logText(result: ExecutionResult): Promise<string> {
  const slice = await readTaskLog(store, result.logKey);
  assert.equal(slice.complete, true, 'the log of an ended task is complete');
  return slice.bytes.toString('utf8');
}

async function objectText(key: string): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of await store.get(key)) parts.push(part as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

async function objectKeys(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const object of store.list(prefix)) keys.push(object.key);
  return keys;
}

/** Whether a process is gone: no such pid, or a zombie nobody reaped (as in a container without init). */
async function isGone(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  const status = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return status === '' || / Z /.test(status);
}

describe('LocalExecutor: processes', () => {
  test('runs the command, records the image and stores stdout and stderr in one log', async () => {
    const result = await run({ command: ['sh', '-c', 'echo out; echo err >&2'] });
    assert.equal(result.status, 'succeeded', result.error);
    assert.equal(result.exitCode, 0);
    assert.equal(result.image, 'alpine:3.20');
    assert.ok(result.startedAt !== undefined && result.startedAt <= result.finishedAt);
    assert.deepEqual(result.warnings, []);
    assert.match(result.logKey, /^process-tests\/[0-9a-f-]{36}\/step\/\.cairn-logs\/0\.log$/);
    assert.deepEqual((await logText(result)).split('\n').sort(), ['', 'err', 'out']);
    assert.deepEqual(await objectKeys(`${result.logKey}.chunks/`), []);
  });

  test('the log can be followed while the task runs', async () => {
    // The task prints, then waits until the test has read that line, then prints again.
    const release = path.join(scratch, `${randomUUID()}.release`);
    const printer = task({
      command: ['sh', '-c', 'echo first; while [ ! -e "$0" ]; do sleep 0.05; done; echo second', release],
    });
    const logKey = taskLogKey(printer, 0);
    const running = executor({ log: { flushIntervalMs: 50 } }).run(printer, {
      artifactStore: store,
      workDir,
    });
    let seen = '';
    let offset = 0;
    try {
      for (let i = 0; i < 400 && seen === ''; i++) {
        await sleep(25);
        const slice = await readTaskLog(store, logKey, { offset });
        assert.equal(slice.complete, false, 'the log is not complete while the task runs');
        seen += slice.bytes.toString('utf8');
        offset = slice.nextOffset;
      }
      assert.equal(seen, 'first\n');
    } finally {
      await writeFile(release, '');
    }
    const result = await running;
    assert.equal(result.status, 'succeeded', result.error);
    assert.equal(result.logKey, logKey);
    const rest = await readTaskLog(store, logKey, { offset });
    assert.deepEqual([rest.bytes.toString('utf8'), rest.complete], ['second\n', true]);
  });

  test('a timeout terminates the whole process group, children included', async () => {
    const pidFile = path.join(scratch, `${randomUUID()}.pid`);
    const started = Date.now();
    const result = await run(
      { command: ['sh', '-c', 'sleep 300 & echo $! > "$0"; sleep 300', pidFile] },
      { timeoutMs: 500 },
    );
    assert.ok(Date.now() - started < 5000, 'the task ended soon after its timeout');
    assert.equal(result.status, 'failed');
    assert.deepEqual([result.timedOut, result.canceled], [true, false]);
    assert.equal(result.signal, 'SIGTERM');
    assert.match(result.error ?? '', /timed out after 500 ms/);
    const child = Number(await readFile(pidFile, 'utf8'));
    assert.ok(child > 0);
    assert.equal(await isGone(child), true, `the background child ${child} survived`);
    assert.match(await logText(result), /\[cairn\] the task timed out after 500 ms: stopping its processes/);
  });

  test('a group that ignores SIGTERM is killed after the grace period', async () => {
    const pidFile = path.join(scratch, `${randomUUID()}.pid`);
    const result = await run(
      { command: ['sh', '-c', 'trap "" TERM; sleep 300 & echo $! > "$0"; wait', pidFile] },
      { timeoutMs: 300 },
      {},
      { killGraceMs: 300 },
    );
    assert.deepEqual([result.status, result.timedOut, result.signal], ['failed', true, 'SIGKILL']);
    assert.equal(await isGone(Number(await readFile(pidFile, 'utf8'))), true);
  });

  test('aborting the signal cancels a running task, after onStarted gave its pid', async () => {
    const controller = new AbortController();
    const pids: number[] = [];
    const result = await run(
      { command: ['sh', '-c', 'echo started; sleep 300'] },
      {},
      {
        signal: controller.signal,
        onStarted: (pid) => {
          pids.push(pid);
          setTimeout(() => controller.abort(), 200);
        },
      },
    );
    assert.equal(pids.length, 1);
    assert.deepEqual([result.status, result.canceled, result.timedOut], ['failed', true, false]);
    assert.match(result.error ?? '', /canceled while it ran/);
    assert.equal(await isGone(pids[0] ?? 0), true);
    const log = await logText(result);
    assert.match(log, /^started$/m);
    assert.match(
      log,
      /^\[cairn\] the task was canceled: stopping its processes \(SIGTERM, then SIGKILL after 1000 ms\)$/m,
    );
  });

  test('a task aborted before it starts is canceled without a process', async () => {
    const controller = new AbortController();
    controller.abort();
    let started = false;
    const result = await run(
      { command: ['sh', '-c', 'echo never'] },
      {},
      { signal: controller.signal, onStarted: () => (started = true) },
    );
    assert.deepEqual(
      [result.status, result.canceled, result.startedAt, started],
      ['failed', true, undefined, false],
    );
    assert.match(await logText(result), /canceled before it started/);
  });

  test('a non-zero exit fails the task with its exit code, and the log says so', async () => {
    const result = await run({ command: ['sh', '-c', 'printf oops >&2; exit 3'] });
    assert.deepEqual([result.status, result.exitCode, result.signal], ['failed', 3, undefined]);
    assert.equal(result.error, 'the command exited with code 3');
    assert.equal(await logText(result), 'oops\n[cairn] the command exited with code 3\n');
  });

  test('a command that does not exist fails before anything starts', async () => {
    const result = await run({ command: ['no-such-program-cairn', 'x'] });
    assert.equal(result.status, 'failed');
    assert.equal(result.startedAt, undefined);
    assert.match(
      result.error ?? '',
      /the command 'no-such-program-cairn' was not found on PATH .*does not use the image alpine:3\.20/,
    );
  });

  test('a bad output value fails the task and names the output and the value', async () => {
    const outputs: ComponentOutputsPlan = {
      parameters: { count: { type: 'NUMBER_INTEGER' } },
      artifacts: {},
    };
    const result = await run(
      { command: ['sh', '-c', 'echo twelve > "$0"', "{{$.outputs.parameters['count'].output_file}}"] },
      { outputDefinitions: outputs },
    );
    assert.deepEqual([result.status, result.exitCode], ['failed', 0]);
    assert.match(
      result.error ?? '',
      /output parameter 'count' must be NUMBER_INTEGER \(an integer\), but its output file .* holds "twelve\\n"/,
    );
    assert.deepEqual(result.outputParameters, {});
  });

  test('an output parameter the task did not write fails it', async () => {
    const outputs: ComponentOutputsPlan = { parameters: { text: { type: 'STRING' } }, artifacts: {} };
    const result = await run({ command: ['true'] }, { outputDefinitions: outputs });
    assert.equal(result.status, 'failed');
    assert.match(result.error ?? '', /did not write output parameter 'text'/);
  });

  test('output files are read and converted; the ExecutorOutput takes precedence and adds artifact metadata', async () => {
    const outputs: ComponentOutputsPlan = {
      parameters: {
        count: { type: 'NUMBER_INTEGER' },
        ratio: { type: 'NUMBER_DOUBLE' },
        ok: { type: 'BOOLEAN' },
        tags: { type: 'LIST' },
        text: { type: 'STRING' },
      },
      artifacts: {
        data: {
          artifactType: { schemaTitle: 'system.Dataset', schemaVersion: '0.0.1' },
          isList: false,
          metadata: { source: 'spec', rows: 0 },
        },
      },
    };
    const script = [
      'dir=$(dirname "$0")',
      'echo 1 > "$dir/count"',
      'echo " 2.5e-1 " > "$dir/ratio"',
      'echo True > "$dir/ok"',
      `echo '["a", 1]' > "$dir/tags"`,
      'printf "  keep spaces\\n" > "$dir/text"',
      `printf '%s' '{"parameterValues":{"count":"7"},"artifacts":{"data":{"artifacts":[{"metadata":{"rows":3}}]}}}' > "$1"`,
      'printf "a,b\\n" > "$2"',
    ].join('\n');
    const writer = task(
      {
        command: ['sh', '-c', script],
        args: [
          "{{$.outputs.parameters['count'].output_file}}",
          '{{$.outputs.output_file}}',
          "{{$.outputs.artifacts['data'].path}}",
        ],
      },
      { outputDefinitions: outputs },
    );
    const result = await executor().run(writer, { artifactStore: store, workDir });
    assert.equal(result.status, 'succeeded', result.error);
    assert.deepEqual(result.outputParameters, {
      count: 7,
      ratio: 0.25,
      ok: true,
      tags: ['a', 1],
      text: '  keep spaces\n',
    });
    const data = result.outputArtifacts.data;
    assert.ok(data);
    const key = `process-tests/${writer.runId}/step/data`;
    assert.deepEqual(data, {
      name: 'data',
      uri: `${store.url}/${key}`,
      storageKey: key,
      schemaTitle: 'system.Dataset',
      schemaVersion: '0.0.1',
      metadata: { source: 'spec', rows: 3 },
      layout: 'file',
      size: 4,
      sha256: createHash('sha256').update('a,b\n').digest('hex'),
    });
    assert.equal(await objectText(key), 'a,b\n');
  });

  test('placeholders: parameters as KFP formats them, defaults, artifacts, system values and {{$}}', async () => {
    const producer = await store.put('process-tests/earlier-run/producer/data', 'line 1\nline 2\n');
    const data: InputArtifact = {
      artifactId: randomUUID(),
      name: 'data',
      uri: `${store.url}/${producer.key}`,
      storageKey: producer.key,
      metadata: { rows: 2, format: 'csv' },
      schemaTitle: 'system.Dataset',
      schemaVersion: '0.0.1',
    };
    const inputs: ComponentInputsPlan = {
      parameters: {
        text: { type: 'STRING', optional: false },
        big: { type: 'NUMBER_DOUBLE', optional: false },
        small: { type: 'NUMBER_DOUBLE', optional: false },
        flag: { type: 'BOOLEAN', optional: false },
        config: { type: 'STRUCT', optional: false },
        fallback: { type: 'STRING', optional: true, defaultValue: 'from default' },
      },
      artifacts: {
        data: { artifactType: { schemaTitle: 'system.Dataset' }, isList: false, optional: false },
      },
    };
    const args = [
      "{{$.inputs.parameters['text']}}",
      "{{$.inputs.parameters['big']}}",
      "{{$.inputs.parameters['small']}}",
      "{{$.inputs.parameters['flag']}}",
      "{{$.inputs.parameters['config']}}",
      "{{$.inputs.parameters['fallback']}}",
      '{"IfPresent": {"InputName": "fallback", "Then": ["given"], "Else": ["not given"]}}',
      "{{$.inputs.artifacts['data'].metadata['format']}}",
      "{{$.inputs.artifacts['data'].metadata}}",
      "{{$.inputs.artifacts['data'].value}}",
      '{{$.pipeline_job_name}}|{{$.pipeline_job_uuid}}|{{$.pipeline_task_name}}|{{$.pipeline_task_uuid}}',
      '{{$.pipeline_job_create_time_utc}}|{{$.pipeline_job_schedule_time_utc}}|{{$.pipeline_root}}',
      '{{$.pipeline_google_cloud_project_id}}',
      '{{$}}',
    ];
    const outFile = path.join(scratch, `${randomUUID()}.args`);
    const overrides: Partial<ExecutableTask> = {
      inputDefinitions: inputs,
      inputParameters: { text: 'two words', big: 1e21, small: 1.5e-7, flag: false, config: { lr: 0.1 } },
      inputArtifacts: { data: [data] },
    };
    const printer = task({ command: ['sh', '-c', 'printf "%s\\0" "$@" > "$0"', outFile], args }, overrides);
    const result = await executor().run(printer, { artifactStore: store, workDir });
    assert.equal(result.status, 'succeeded', result.error);
    const seen = (await readFile(outFile, 'utf8')).split('\0').slice(0, -1);
    const executorInput = JSON.parse(seen.at(-1) ?? '{}');
    assert.deepEqual(seen.slice(0, -4), [
      'two words',
      '1000000000000000000000',
      '0.00000015',
      'false',
      '{"lr":0.1}',
      'from default',
      'not given',
      'csv',
      '{"rows":2,"format":"csv"}',
      'line 1\nline 2\n',
    ]);
    assert.equal(seen.at(-4), `process tests|${printer.runId}|step|${printer.taskId}`);
    assert.equal(seen.at(-3), `2026-01-02T03:04:05Z|2026-01-02T03:04:05Z|${store.url}`);
    assert.equal(seen.at(-2), '{{$.pipeline_google_cloud_project_id}}');
    const localData = executorInput.inputs.artifacts.data.artifacts[0];
    assert.equal(
      fileURLToPath(localData.uri),
      path.join(workDir, printer.runId, printer.taskId, '0', 'inputs', 'data', '0', 'data'),
    );
    assert.deepEqual(
      { ...executorInput, inputs: { ...executorInput.inputs, artifacts: undefined } },
      {
        inputs: {
          artifacts: undefined,
          parameterValues: {
            text: 'two words',
            big: 1e21,
            small: 1.5e-7,
            flag: false,
            config: { lr: 0.1 },
            fallback: 'from default',
          },
        },
        outputs: { outputFile: executorInput.outputs.outputFile },
      },
    );
    assert.deepEqual(localData, {
      name: 'data',
      type: { schemaTitle: 'system.Dataset', schemaVersion: '0.0.1' },
      uri: localData.uri,
      metadata: { rows: 2, format: 'csv' },
    });
  });

  test('a placeholder of an input without a value fails the task before it starts', async () => {
    const inputs: ComponentInputsPlan = {
      parameters: { maybe: { type: 'STRING', optional: true } },
      artifacts: {},
    };
    const result = await run(
      { command: ['echo', "{{$.inputs.parameters['maybe']}}"] },
      { inputDefinitions: inputs },
    );
    assert.equal(result.status, 'failed');
    assert.equal(result.startedAt, undefined);
    assert.match(result.error ?? '', /input parameter 'maybe', which has no value/);
  });

  test('the environment: inherited names only, task HOME and TMPDIR, KFP variables, the container env last', async () => {
    process.env.CAIRN_EXECUTOR_TEST_SECRET = 'do not pass on';
    const envFile = path.join(scratch, `${randomUUID()}.env`);
    const printer = task(
      {
        command: ['sh', '-c', 'env > "$0"; pwd >> "$0"', envFile],
        env: [
          { name: 'GREETING', value: "{{$.inputs.parameters['x']}}" },
          { name: 'KFP_POD_NAME', value: 'mine' },
        ],
      },
      { attempt: 2 },
    );
    const result = await executor({ env: { PATH, EXTRA: 'configured' }, keepTaskDirectories: true }).run(
      printer,
      {
        artifactStore: store,
        workDir,
      },
    );
    delete process.env.CAIRN_EXECUTOR_TEST_SECRET;
    assert.equal(result.status, 'succeeded', result.error);
    const lines = (await readFile(envFile, 'utf8')).trim().split('\n');
    const env = Object.fromEntries(
      lines.slice(0, -1).map((line) => [line.split('=')[0], line.slice(line.indexOf('=') + 1)]),
    );
    assert.equal(env.CAIRN_EXECUTOR_TEST_SECRET, undefined);
    assert.equal(env.GREETING, "{{$.inputs.parameters['x']}}", 'KFP resolves no placeholders in env values');
    assert.equal(env.KFP_POD_NAME, 'mine');
    assert.equal(env.KFP_RETRY_INDEX, '1', 'the second attempt is retry 1');
    assert.equal(env.EXTRA, 'configured');
    assert.equal(env.PATH, PATH);
    assert.equal(env.KFP_POD_UID, printer.taskId);
    const taskRoot = path.join(workDir, printer.runId, printer.taskId, '2');
    assert.equal(env.HOME, path.join(taskRoot, 'home'));
    assert.equal(env.TMPDIR, path.join(taskRoot, 'tmp'));
    assert.equal(lines.at(-1), path.join(taskRoot, 'work'));
    assert.ok((await readdir(taskRoot)).includes('task.log'), 'keepTaskDirectories keeps the directory');
  });

  test('the task directory is removed when the task ends', async () => {
    const quick = task({ command: ['true'] });
    const result = await executor().run(quick, { artifactStore: store, workDir });
    assert.equal(result.status, 'succeeded');
    assert.equal(await readdir(path.join(workDir, quick.runId)).catch(() => 'gone'), 'gone');
  });

  test('the task directory is removed whatever the task left in it', async () => {
    const outputs: ComponentOutputsPlan = {
      parameters: { count: { type: 'NUMBER_INTEGER' } },
      artifacts: {},
    };
    const messy = task(
      {
        command: [
          'sh',
          '-c',
          'mkdir -p deep/er && echo x > deep/er/f && echo y > "$HOME/h" && echo z > "$TMPDIR/t" && echo 1 > "$0"',
          "{{$.outputs.parameters['count'].output_file}}",
        ],
      },
      { outputDefinitions: outputs },
    );
    const result = await executor().run(messy, { artifactStore: store, workDir });
    assert.equal(result.status, 'succeeded', result.error);
    assert.deepEqual(result.outputParameters, { count: 1 });
    assert.equal(await readdir(path.join(workDir, messy.runId)).catch(() => 'gone'), 'gone');
  });

  test("an interrupted run's leftovers in the attempt's directory are gone before the attempt starts", async () => {
    const again = task({ command: ['sh', '-c', 'test -z "$(ls -A)" && test -z "$(ls -A "$HOME")"'] });
    const root = path.join(workDir, again.runId, again.taskId, String(again.attempt));
    await mkdir(path.join(root, 'work', 'stale'), { recursive: true });
    await mkdir(path.join(root, 'home'));
    await writeFile(path.join(root, 'home', 'stale'), 'x');
    const result = await executor().run(again, { artifactStore: store, workDir });
    assert.equal(result.status, 'succeeded', result.error);
  });

  test('a later attempt replaces what an earlier one stored under the output key', async () => {
    const outputs: ComponentOutputsPlan = {
      parameters: {},
      artifacts: { model: { artifactType: { schemaTitle: 'system.Model' }, isList: false } },
    };
    const first = task(
      {
        command: [
          'sh',
          '-c',
          'mkdir -p "$0/sub" && echo a > "$0/a" && echo b > "$0/sub/b"',
          "{{$.outputs.artifacts['model'].path}}",
        ],
      },
      { outputDefinitions: outputs },
    );
    const firstResult = await executor().run(first, { artifactStore: store, workDir });
    const model = firstResult.outputArtifacts.model;
    assert.equal(model?.layout, 'directory');
    assert.deepEqual(
      model?.files?.map((file) => [file.path, file.size]),
      [
        ['a', 2],
        ['sub/b', 2],
      ],
    );
    const second = {
      ...first,
      attempt: 1,
      container: {
        ...first.container,
        command: ['sh', '-c', 'echo one file > "$0"', "{{$.outputs.artifacts['model'].path}}"],
      },
    };
    const secondResult = await executor().run(second, { artifactStore: store, workDir });
    assert.equal(secondResult.outputArtifacts.model?.layout, 'file');
    const key = secondResult.outputArtifacts.model?.storageKey ?? '';
    assert.deepEqual(await objectKeys(`${key}/`), []);
    assert.equal(await objectText(key), 'one file\n');
    assert.notEqual(secondResult.logKey, firstResult.logKey, 'each attempt has its own log');
  });

  test('a memory limit becomes an RLIMIT_DATA on every process of the task', async (t) => {
    if ((await findExecutable('prlimit', process.env.PATH ?? '', '/')) === undefined) {
      // Debian ships prlimit in util-linux; only a machine without it may skip, never CI.
      assert.ok(!IN_CI, 'prlimit (util-linux) must be installed in CI');
      t.skip('prlimit (util-linux) is not installed');
      return;
    }
    const result = await run(
      {
        command: [
          'sh',
          '-c',
          'ulimit -d; exec node -e "Buffer.allocUnsafe(1.2e9); console.log(\'allocated\')"',
        ],
        resources: { resourceMemoryLimit: '900M', cpuLimit: 0.5 },
      },
      {},
      {},
      { limitMemory: true },
    );
    assert.equal(result.status, 'failed', 'allocating more than the limit fails');
    const log = await logText(result);
    assert.equal(log.split('\n')[0], String(Math.floor(900e6 / 1024)));
    assert.doesNotMatch(log, /allocated/);
    assert.deepEqual(
      result.resources.map(({ resource, requested, enforced }) => [resource, requested, enforced]),
      [
        ['memoryLimit', '900M', true],
        ['cpuLimit', '0.5', false],
      ],
    );
    const unlimited = await run({
      command: ['node', '-e', "Buffer.allocUnsafe(1.2e9); console.log('allocated')"],
    });
    assert.equal(unlimited.status, 'succeeded', 'the same allocation succeeds without a limit');
  });

  test('resources read input parameters and a bad quantity fails the task', async () => {
    const inputs: ComponentInputsPlan = {
      parameters: { memory: { type: 'STRING', optional: false } },
      artifacts: {},
    };
    const ok = await run(
      {
        command: ['true'],
        resources: {
          resourceMemoryLimit: "{{$.inputs.parameters['memory']}}",
          accelerator: { type: 'nvidia.com/gpu', count: 1 },
        },
      },
      { inputDefinitions: inputs, inputParameters: { memory: '2Gi' } },
      {},
      { limitMemory: false },
    );
    assert.equal(ok.status, 'succeeded', ok.error);
    assert.deepEqual(ok.resources, [
      {
        resource: 'memoryLimit',
        requested: '2Gi',
        enforced: false,
        detail: 'not enforced: memory limits are turned off (LocalExecutor limitMemory)',
      },
      {
        resource: 'accelerator',
        requested: 'nvidia.com/gpu x 1',
        enforced: false,
        detail:
          'not enforced: the local executor does not allocate accelerators; the process sees what the machine has',
      },
    ]);
    const bad = await run({ command: ['true'], resources: { resourceCpuLimit: 'lots' } }, {});
    assert.equal(bad.status, 'failed');
    assert.match(bad.error ?? '', /the CPU limit "lots" is not a Kubernetes quantity/);
  });
});
