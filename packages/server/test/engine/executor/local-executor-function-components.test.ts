// Function components compiled by Cairn's SDK, run end to end through the LocalExecutor: the embedded
// Node runtime reads the ExecutorInput from {{$}}, and the executor reads back its ExecutorOutput.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  compile,
  Dataset,
  functionComponent,
  loadPipelineModule,
  Output,
  Parameter,
  pipeline,
} from '@cairn/sdk';
import { checkPipelineText, type ExecutionPlan, type JsonValue, type PipelineSpec } from '@cairn/spec';
import type { ArtifactStore } from '../../../src/artifacts/artifact-store.ts';
import { FsArtifactStore } from '../../../src/artifacts/fs-artifact-store.ts';
import { LocalExecutor } from '../../../src/engine/executor/local/local-executor.ts';
import { readTaskLog } from '../../../src/engine/executor/logs/read-task-log.ts';
import type {
  ExecutableTask,
  ExecutionResult,
  InputArtifact,
  OutputArtifact,
} from '../../../src/engine/executor/task-executor.ts';

const EXAMPLES = fileURLToPath(new URL('../../../../../examples/', import.meta.url));
// The components' launcher runs `node`: the project's Node 24 comes first on PATH.
const NODE_BIN = fileURLToPath(new URL('../../../../../node_modules/.bin', import.meta.url));

let scratch: string;
let store: ArtifactStore;
let executor: LocalExecutor;

before(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'cairn-function-components-'));
  store = new FsArtifactStore(path.join(scratch, 'store'));
  executor = new LocalExecutor({ env: { PATH: `${NODE_BIN}:${process.env.PATH ?? ''}` } });
});
after(() => rm(scratch, { recursive: true, force: true }));

interface Compiled {
  spec: PipelineSpec;
  plan: ExecutionPlan;
  runId: string;
}

function checked(text: string): Compiled {
  const result = checkPipelineText(text);
  assert.ok(result.plan, JSON.stringify(result.issues));
  return { spec: result.pipeline.spec, plan: result.plan, runId: randomUUID() };
}

async function run(
  compiled: Compiled,
  taskKey: string,
  inputs: { parameters?: Record<string, JsonValue>; artifacts?: Record<string, OutputArtifact> } = {},
): Promise<ExecutionResult> {
  const planned = compiled.plan.root.tasks.find((task) => task.key === taskKey);
  assert.ok(planned && planned.kind === 'container', `no container task ${taskKey}`);
  const container = compiled.spec.deploymentSpec?.executors?.[planned.executorLabel]?.container;
  assert.ok(container);
  const task: ExecutableTask = {
    runId: compiled.runId,
    taskId: randomUUID(),
    taskPath: `root/${taskKey}`,
    taskName: taskKey,
    attempt: 0,
    pipelineName: compiled.plan.pipeline.name,
    pipelineRoot: store.url,
    container,
    inputDefinitions: planned.inputDefinitions,
    outputDefinitions: planned.outputDefinitions,
    inputParameters: inputs.parameters ?? {},
    inputArtifacts: Object.fromEntries(
      Object.entries(inputs.artifacts ?? {}).map(([name, output]) => [name, [asInput(output)]]),
    ),
    system: { jobName: 'function components', jobUuid: compiled.runId, jobCreateTime: Date.now() },
  };
  const result = await executor.run(task, { artifactStore: store, workDir: path.join(scratch, 'tasks') });
  if (result.status !== 'succeeded') {
    const log = (await readTaskLog(store, result.logKey)).bytes.toString('utf8');
    assert.fail(`${taskKey} failed: ${result.error}\n${log}`);
  }
  return result;
}

function asInput(output: OutputArtifact): InputArtifact {
  return {
    name: output.name,
    uri: output.uri,
    storageKey: output.storageKey,
    metadata: output.metadata,
    schemaTitle: output.schemaTitle ?? 'system.Artifact',
  };
}

function artifact(result: ExecutionResult, name: string): OutputArtifact {
  const output = result.outputArtifacts[name];
  assert.ok(output, `no output artifact ${name}`);
  return output;
}

async function text(output: OutputArtifact): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of await store.get(output.storageKey)) parts.push(part as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

describe('LocalExecutor: function components', () => {
  test('examples/train-evaluate-deploy.ts: data, training and evaluation pass artifacts through the store', async () => {
    const { target } = await loadPipelineModule(path.join(EXAMPLES, 'train-evaluate-deploy.ts'));
    const compiled = checked(compile(target));

    const data = await run(compiled, 'make-dataset', { parameters: { rows: 200, seed: 3 } });
    const train = artifact(data, 'train');
    assert.deepEqual(
      [train.layout, train.metadata, train.schemaTitle],
      ['file', { rows: 160 }, 'system.Dataset'],
    );
    assert.equal((await text(train)).split('\n').length, 161);
    assert.deepEqual(artifact(data, 'test').metadata, { rows: 40 });

    const trained = await run(compiled, 'train-model', { artifacts: { data: train } });
    const model = artifact(trained, 'model');
    assert.deepEqual(model.metadata, { framework: 'least-squares' });
    const { slope, intercept } = JSON.parse(await text(model));
    assert.ok(Math.abs(slope - 3) < 0.1 && Math.abs(intercept - 2) < 0.3, `fitted ${slope}x + ${intercept}`);
    // Metrics are metadata only: the task writes no file, and the artifact has no object.
    const metrics = artifact(trained, 'metrics');
    assert.deepEqual(
      [metrics.layout, metrics.size, Object.keys(metrics.metadata).sort()],
      ['none', 0, ['train_rmse', 'train_rows']],
    );

    const evaluated = await run(compiled, 'evaluate-model', {
      artifacts: { model, data: artifact(data, 'test') },
    });
    const rmse = evaluated.outputParameters.rmse;
    assert.ok(typeof rmse === 'number' && rmse > 0 && rmse < 0.5, `rmse ${rmse}`);
    assert.equal(artifact(evaluated, 'metrics').metadata.test_rmse, rmse);
  });

  test('returned values, defaults and artifact metadata travel through the ExecutorInput and ExecutorOutput', async () => {
    const summarize = functionComponent(
      {
        name: 'summarize',
        inputs: { words: Parameter.List.of(Parameter.String), shout: Parameter.Boolean.default(false) },
        outputs: { count: Parameter.Integer, report: Output(Dataset) },
      },
      async ({ words, shout }, { report }) => {
        const { writeFile, readFile } = await import('node:fs/promises');
        const { dirname, join } = await import('node:path');
        // Moving the artifact changes its URI in the ExecutorOutput; the executor uploads from there.
        const elsewhere = join(dirname(report.path), 'elsewhere.txt');
        await writeFile(elsewhere, (shout ? words.map((word) => word.toUpperCase()) : words).join(' '));
        report.path = elsewhere;
        report.metadata.words = words.length;
        process.stdout.write(`${await readFile(elsewhere, 'utf8')}\n`);
        return { count: words.length };
      },
    );
    const compiled = checked(
      compile(
        pipeline({ name: 'summaries', inputs: { words: Parameter.List } }, ({ words }) => {
          summarize({ words });
        }),
      ),
    );
    const result = await run(compiled, 'summarize', { parameters: { words: ['a', 'b', 'c'] } });
    assert.deepEqual(result.outputParameters, { count: 3 });
    const report = artifact(result, 'report');
    // `shout` was not given: its default (false) reached the function.
    assert.deepEqual([report.layout, report.metadata, await text(report)], ['file', { words: 3 }, 'a b c']);
    assert.equal(report.storageKey, `summaries/${compiled.runId}/summarize/report`);
    assert.equal((await readTaskLog(store, result.logKey)).bytes.toString('utf8'), 'a b c\n');
  });
});
