// KFP-compiled container components from fixtures/kfp/ir, run through the LocalExecutor as their specs
// say. Their images' programs (my_program, gsutil, run.sh) are not on a developer's machine, so small
// stand-ins take their place; they record the exact argv they receive, which is what the container
// contract is about.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { checkPipelineText, type JsonValue } from '@cairn/spec';
import type { ArtifactStore } from '../../../src/artifacts/artifact-store.ts';
import { FsArtifactStore } from '../../../src/artifacts/fs-artifact-store.ts';
import {
  LocalExecutor,
  type LocalExecutorOptions,
} from '../../../src/engine/executor/local/local-executor.ts';
import { readTaskLog } from '../../../src/engine/executor/logs/read-task-log.ts';
import type {
  ExecutableTask,
  ExecutionResult,
  InputArtifact,
  OutputArtifact,
} from '../../../src/engine/executor/task-executor.ts';

const FIXTURES = fileURLToPath(new URL('../../../../../fixtures/kfp/ir/', import.meta.url));

/** Records its arguments (NUL-separated) in $ARGS_OUT and writes the file after --output_path. */
const MY_PROGRAM = `#!/bin/sh
printf '%s\\0' "$@" > "$ARGS_OUT"
while [ $# -gt 0 ]; do
  if [ "$1" = --output_path ]; then printf 'written by my_program' > "$2"; fi
  shift
done
`;

/** The two gsutil commands two_step_pipeline.yaml uses, on file:// URLs. */
const GSUTIL = `#!/bin/sh
case "$1" in
  cp) [ "$2" = - ] && cat > "\${3#file://}" ;;
  cat) cat "\${2#file://}" ;;
  *) echo "gsutil stand-in: unsupported $*" >&2; exit 2 ;;
esac
`;

/** The run.sh container_with_artifact_output.yaml expects in its image's working directory. */
const RUN_SH = `while [ $# -gt 0 ]; do
  case "$1" in
    --epochs) epochs=$2 ;;
    --model_path) model=\${2#file://} ;;
    --model_metadata) metadata=$2 ;;
    --model_config_path) config=$2 ;;
  esac
  shift 2
done
mkdir -p "$model/weights"
i=1
while [ "$i" -le "$epochs" ]; do echo "epoch $i" > "$model/weights/$i.txt"; i=$((i + 1)); done
printf '%s' "$metadata" > "$model/metadata.json"
printf '%s' "$model/config.yaml" > "$config"
`;

let scratch: string;
let store: ArtifactStore;
let workDir: string;
let argsFile: string;
let executor: LocalExecutor;

before(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'cairn-kfp-fixtures-'));
  store = new FsArtifactStore(path.join(scratch, 'store'));
  workDir = path.join(scratch, 'tasks');
  argsFile = path.join(scratch, 'args');
  const bin = path.join(scratch, 'bin');
  await mkdir(bin);
  for (const [name, text] of [
    ['my_program', MY_PROGRAM],
    ['gsutil', GSUTIL],
  ] as const) {
    await writeFile(path.join(bin, name), text);
    await chmod(path.join(bin, name), 0o755);
  }
  executor = new LocalExecutor(executorOptions(bin));
});
after(() => rm(scratch, { recursive: true, force: true }));

function executorOptions(bin: string, more: LocalExecutorOptions = {}): LocalExecutorOptions {
  return { env: { PATH: `${bin}:${process.env.PATH ?? ''}`, ARGS_OUT: argsFile }, ...more };
}

/** A task of a fixture, by its key in the root DAG, with the given inputs, as the scheduler would build it. */
async function fixtureTask(
  file: string,
  taskKey: string,
  inputs: { parameters?: Record<string, JsonValue>; artifacts?: Record<string, InputArtifact[]> } = {},
): Promise<ExecutableTask> {
  const checked = checkPipelineText(await readFile(path.join(FIXTURES, file), 'utf8'));
  assert.ok(checked.plan, `${file} does not plan: ${JSON.stringify(checked.issues)}`);
  const planned = checked.plan.root.tasks.find((task) => task.key === taskKey);
  assert.ok(planned && planned.kind === 'container', `${file} has no container task ${taskKey}`);
  const container = checked.pipeline.spec.deploymentSpec?.executors?.[planned.executorLabel]?.container;
  assert.ok(container, `${file}: no container for ${planned.executorLabel}`);
  const runId = randomUUID();
  return {
    runId,
    taskId: randomUUID(),
    taskPath: `root/${taskKey}`,
    taskName: taskKey,
    attempt: 0,
    pipelineName: checked.plan.pipeline.name,
    pipelineRoot: store.url,
    container,
    inputDefinitions: planned.inputDefinitions,
    outputDefinitions: planned.outputDefinitions,
    inputParameters: inputs.parameters ?? {},
    inputArtifacts: inputs.artifacts ?? {},
    system: { jobName: `${file} run`, jobUuid: runId, jobCreateTime: Date.now() },
  };
}

async function runFixture(task: ExecutableTask, runner = executor): Promise<ExecutionResult> {
  await rm(argsFile, { force: true });
  const result = await runner.run(task, { artifactStore: store, workDir });
  assert.equal(result.status, 'succeeded', `${task.pipelineName} failed: ${result.error}`);
  return result;
}

async function recordedArgs(): Promise<string[]> {
  return (await readFile(argsFile, 'utf8')).split('\0').slice(0, -1);
}

/** The file:// URI and path the task was given for an output artifact: in its directory under the work dir. */
function localOutput(task: ExecutableTask, name: string): { uri: string; path: string } {
  const local = path.join(workDir, task.runId, task.taskId, '0', 'outputs', 'artifacts', name);
  return { uri: pathToFileURL(local).href, path: local };
}

function parameterFile(task: ExecutableTask, name: string): string {
  return path.join(workDir, task.runId, task.taskId, '0', 'outputs', 'parameters', name);
}

async function logOf(result: ExecutionResult): Promise<string> {
  return (await readTaskLog(store, result.logKey)).bytes.toString('utf8');
}

function asInput(output: OutputArtifact): InputArtifact {
  return {
    name: output.name,
    uri: output.uri,
    storageKey: output.storageKey,
    metadata: output.metadata,
    schemaTitle: output.schemaTitle ?? 'system.Artifact',
    ...(output.schemaVersion === undefined ? {} : { schemaVersion: output.schemaVersion }),
  };
}

describe('LocalExecutor: KFP fixtures', () => {
  test('hello_world.yaml: echo prints into the task log', async () => {
    const result = await runFixture(await fixtureTask('hello_world.yaml', 'echo'));
    assert.equal(result.image, 'registry.access.redhat.com/ubi9/python-311:latest');
    assert.equal(await logOf(result), 'hello world\n');
    assert.deepEqual([result.outputParameters, result.outputArtifacts], [{}, {}]);
  });

  test('container_io.yaml: an input parameter in the command, an output parameter file in the args', async () => {
    const task = await fixtureTask('container_io.yaml', 'container-io', {
      parameters: { text: 'some text' },
    });
    const result = await runFixture(task);
    assert.deepEqual(await recordedArgs(), [
      'some text',
      '--output_path',
      parameterFile(task, 'output_path'),
    ]);
    assert.deepEqual(result.outputParameters, { output_path: 'written by my_program' });
  });

  test('container_with_concat_placeholder.yaml: Concat joins text, a parameter and an output URI into one argument', async () => {
    const task = await fixtureTask(
      'container_with_concat_placeholder.yaml',
      'container-with-concat-placeholder',
      {
        parameters: { text1: 'hello' },
      },
    );
    const result = await runFixture(task);
    assert.deepEqual(await recordedArgs(), [
      `prefix-hello${localOutput(task, 'text2').uri}`,
      '--output_path',
      parameterFile(task, 'output_path'),
    ]);
    // my_program writes nothing at text2's path: the artifact is recorded without an object, as KFP allows.
    const text2 = result.outputArtifacts.text2;
    assert.equal(text2?.layout, 'none');
    assert.equal(
      text2?.storageKey,
      `container-with-concat-placeholder/${task.runId}/container-with-concat-placeholder/text2`,
    );
    assert.equal(text2?.schemaTitle, 'system.Dataset');
  });

  test('container_with_if_placeholder.yaml: IfPresent takes Then for a given input', async () => {
    const task = await fixtureTask('container_with_if_placeholder.yaml', 'container-with-if-placeholder', {
      parameters: { optional_input: 'given' },
    });
    await runFixture(task);
    assert.deepEqual(await recordedArgs(), [
      'given',
      '--dataset',
      localOutput(task, 'dataset').uri,
      '--output_path',
      parameterFile(task, 'output_path'),
    ]);
  });

  test('container_with_if_placeholder.yaml: IfPresent takes Else when the input was not given, default or not', async () => {
    const task = await fixtureTask('container_with_if_placeholder.yaml', 'container-with-if-placeholder');
    assert.equal(task.inputDefinitions.parameters.optional_input?.defaultValue, 'default');
    await runFixture(task);
    assert.deepEqual(await recordedArgs(), [
      'bye',
      '--dataset',
      'bye',
      '--output_path',
      parameterFile(task, 'output_path'),
    ]);
  });

  test('container_with_artifact_output.yaml: a directory output with its metadata placeholder, uploaded file by file', async () => {
    const image = path.join(scratch, 'image-workdir');
    await mkdir(image, { recursive: true });
    await writeFile(path.join(image, 'run.sh'), RUN_SH);
    const task = await fixtureTask('container_with_artifact_output.yaml', 'container-with-artifact-output', {
      parameters: { num_epochs: 2 },
    });
    const runner = new LocalExecutor(executorOptions(path.join(scratch, 'bin'), { workingDirectory: image }));
    const result = await runFixture(task, runner);
    const model = result.outputArtifacts.model;
    assert.ok(model);
    const key = `container-with-artifact-output/${task.runId}/container-with-artifact-output/model`;
    assert.deepEqual([model.layout, model.storageKey, model.uri], ['directory', key, `${store.url}/${key}`]);
    assert.deepEqual(
      model.files?.map((file) => [file.path, file.size]),
      [
        ['metadata.json', 2],
        ['weights/1.txt', 8],
        ['weights/2.txt', 8],
      ],
    );
    assert.equal(model.size, 18);
    assert.match(model.sha256 ?? '', /^[0-9a-f]{64}$/);
    const stored: string[] = [];
    for await (const object of store.list(`${key}/`)) stored.push(object.key);
    assert.deepEqual(stored, [`${key}/metadata.json`, `${key}/weights/1.txt`, `${key}/weights/2.txt`]);
    assert.deepEqual(result.outputParameters, {
      model_config_path: path.join(localOutput(task, 'model').path, 'config.yaml'),
    });
  });

  test('two_step_pipeline.yaml: the producer writes an artifact that the consumer reads from the store', async () => {
    const producer = await fixtureTask('two_step_pipeline.yaml', 'write-to-gcs', {
      parameters: { text: 'Hello KFP!' },
    });
    const produced = await runFixture(producer);
    const output = produced.outputArtifacts.output_gcs_path;
    assert.ok(output);
    assert.deepEqual(
      [output.layout, output.size, output.storageKey],
      ['file', 11, `simple-two-step-pipeline/${producer.runId}/write-to-gcs/output_gcs_path`],
    );
    // `set -x` traces both sides of the shell pipeline at once, so their lines may interleave in the log.
    const log = await logOf(produced);
    for (const word of ['gsutil', 'cp', 'file:///']) assert.ok(log.includes(word), `${word} in ${log}`);

    const consumer = await fixtureTask('two_step_pipeline.yaml', 'read-from-gcs', {
      artifacts: { input_gcs_path: [asInput(output)] },
    });
    const consumed = await runFixture({ ...consumer, runId: producer.runId });
    assert.match(await logOf(consumed), /^Hello KFP!$/m);
  });
});
