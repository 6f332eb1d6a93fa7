// The examples in examples/ are documentation users copy, so they are compiled, checked and, for their
// function components, run for real here: each executor of the compiled spec runs as a container would,
// with an ExecutorInput built by hand and file:// URIs into a scratch directory. (Running whole pipelines
// is the engine's job; this proves the code inside the examples works offline.)
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { checkPipelineText, type JsonValue, type PipelineSpec } from '@cairn/spec';
import { compile, loadPipelineModule } from '../../src/index.ts';
import { runContainer } from '../support/run-container.ts';

const EXAMPLES_DIR = fileURLToPath(new URL('../../../../examples/', import.meta.url));

const scratch = await mkdtemp(path.join(tmpdir(), 'cairn-examples-'));
after(() => rm(scratch, { recursive: true, force: true }));

async function compiledExample(file: string) {
  const { target } = await loadPipelineModule(path.join(EXAMPLES_DIR, file));
  const checked = checkPipelineText(compile(target));
  assert.deepEqual(checked.issues, [], `${file} compiles to a spec with issues`);
  assert.ok(checked.pipeline);
  return { spec: checked.pipeline.spec, plan: checked.plan };
}

interface ArtifactRef {
  uri: string;
  path: string;
  metadata: Record<string, JsonValue>;
}

/** An artifact as a task sees it: a file:// URI into the scratch directory. */
function newArtifact(name: string): ArtifactRef {
  const file = path.join(scratch, `${Math.random().toString(36).slice(2)}-${name}`);
  return { uri: pathToFileURL(file).href, path: file, metadata: {} };
}

interface ExecutorRun {
  parameters: Record<string, JsonValue>;
  artifacts: Record<string, ArtifactRef>;
  stdout: string;
}

/** Runs one executor of a compiled spec, by the component that uses it, like a container runtime. */
async function runComponent(
  spec: PipelineSpec,
  component: string,
  inputs: { parameters?: Record<string, JsonValue>; artifacts?: Record<string, ArtifactRef | ArtifactRef[]> },
): Promise<ExecutorRun> {
  const definition = spec.components?.[component];
  const label = definition?.executorLabel;
  const container = label ? spec.deploymentSpec?.executors?.[label]?.container : undefined;
  assert.ok(definition && container, `no container executor for ${component}`);
  const outputFile = newArtifact('executor-output.json').path;
  const outputArtifacts: Record<string, ArtifactRef> = {};
  for (const name of Object.keys(definition.outputDefinitions?.artifacts ?? {})) {
    outputArtifacts[name] = newArtifact(name);
  }
  const toRuntime = (artifact: ArtifactRef, name: string, type?: string) => ({
    name,
    uri: artifact.uri,
    metadata: artifact.metadata,
    ...(type ? { type: { schemaTitle: type } } : {}),
  });
  const executorInput = {
    inputs: {
      parameterValues: inputs.parameters ?? {},
      artifacts: Object.fromEntries(
        Object.entries(inputs.artifacts ?? {}).map(([name, value]) => [
          name,
          { artifacts: (Array.isArray(value) ? value : [value]).map((a) => toRuntime(a, name)) },
        ]),
      ),
    },
    outputs: {
      parameters: Object.fromEntries(
        Object.keys(definition.outputDefinitions?.parameters ?? {}).map((name) => [
          name,
          { outputFile: newArtifact(`${name}.param`).path },
        ]),
      ),
      artifacts: Object.fromEntries(
        Object.entries(outputArtifacts).map(([name, artifact]) => [
          name,
          {
            artifacts: [
              toRuntime(
                artifact,
                name,
                definition.outputDefinitions?.artifacts?.[name]?.artifactType?.schemaTitle,
              ),
            ],
          },
        ]),
      ),
      outputFile,
    },
  };
  const { code, stdout, stderr } = await runContainer(container, executorInput, scratch);
  assert.equal(code, 0, `${component} failed:\n${stderr}`);
  const output = JSON.parse(await readFile(outputFile, 'utf8')) as {
    parameterValues?: Record<string, JsonValue>;
    artifacts?: Record<string, { artifacts: { metadata?: Record<string, JsonValue> }[] }>;
  };
  for (const [name, artifact] of Object.entries(outputArtifacts)) {
    artifact.metadata = output.artifacts?.[name]?.artifacts[0]?.metadata ?? {};
  }
  return { parameters: output.parameterValues ?? {}, artifacts: outputArtifacts, stdout };
}

function artifactOf(run: ExecutorRun, name: string): ArtifactRef {
  const artifact = run.artifacts[name];
  assert.ok(artifact, `no output artifact ${name}`);
  return artifact;
}

describe('examples', () => {
  test('there are at least five, and every one compiles, validates and plans', async () => {
    const files = (await readdir(EXAMPLES_DIR)).filter((file) => file.endsWith('.ts'));
    assert.ok(files.length >= 5, `only ${files.length} examples`);
    for (const file of files) {
      const { plan } = await compiledExample(file);
      assert.ok(plan.summary.tasks.total >= 3, `${file} is too small to teach much`);
    }
  });

  test('train-evaluate-deploy: trains, evaluates and deploys a model under the error threshold', async () => {
    const { spec, plan } = await compiledExample('train-evaluate-deploy.ts');
    assert.equal(plan.summary.conditions, 2);
    const conditions = JSON.stringify(spec.components?.['comp-condition-branches-1']?.dag?.tasks);
    assert.match(conditions, /pipelinechannel--evaluate-model-rmse.*< .*pipelinechannel--max_rmse/);
    const data = await runComponent(spec, 'comp-make-dataset', { parameters: { rows: 200, seed: 3 } });
    assert.equal(artifactOf(data, 'train').metadata.rows, 160);
    const trained = await runComponent(spec, 'comp-train-model', {
      artifacts: { data: artifactOf(data, 'train') },
    });
    const { slope, intercept } = JSON.parse(await readFile(artifactOf(trained, 'model').path, 'utf8'));
    assert.ok(Math.abs(slope - 3) < 0.1 && Math.abs(intercept - 2) < 0.3, `fitted ${slope}x + ${intercept}`);
    const evaluated = await runComponent(spec, 'comp-evaluate-model', {
      artifacts: { model: artifactOf(trained, 'model'), data: artifactOf(data, 'test') },
    });
    const rmse = evaluated.parameters.rmse as number;
    assert.ok(rmse > 0 && rmse < 0.5, `rmse ${rmse}`);
    assert.equal(artifactOf(evaluated, 'metrics').metadata.test_rmse, rmse);
    const deployed = await runComponent(spec, 'comp-deploy-model', {
      parameters: { rmse },
      artifacts: { model: artifactOf(trained, 'model') },
    });
    assert.match(
      await readFile(artifactOf(deployed, 'card').path, 'utf8'),
      /# Model card\n\n- test RMSE: 0\.\d{4}/,
    );
  });

  test('sharded-word-count: plans shards, counts each, merges the counts', async () => {
    const { spec, plan } = await compiledExample('sharded-word-count.ts');
    assert.equal(plan.summary.iterators, 1);
    const loop = spec.root.dag?.tasks?.['for-loop-1'];
    assert.equal(loop?.iteratorPolicy?.parallelismLimit, 2);
    const corpus = newArtifact('corpus');
    const lines = Array.from({ length: 12 }, (_, i) =>
      i % 2 === 0 ? 'the quick brown fox' : 'the lazy dog',
    );
    await writeFile(corpus.path, `${lines.join('\n')}\n`);
    const planned = await runComponent(spec, 'comp-plan-shards', {
      parameters: { lines_per_shard: 5 },
      artifacts: { corpus },
    });
    assert.deepEqual(planned.parameters, {
      lines: 12,
      shards: [
        { start: 0, end: 5 },
        { start: 5, end: 10 },
        { start: 10, end: 12 },
      ],
    });
    const counts: JsonValue[] = [];
    for (const shard of planned.parameters.shards as { start: number; end: number }[]) {
      const counted = await runComponent(spec, 'comp-count-words', {
        parameters: shard,
        artifacts: { corpus },
      });
      counts.push(counted.parameters.counts ?? null);
    }
    const merged = await runComponent(spec, 'comp-merge-counts', {
      parameters: { shard_counts: counts, top: 2 },
    });
    assert.equal(merged.parameters.distinct_words, 6);
    const report = await readFile(artifactOf(merged, 'report').path, 'utf8');
    assert.match(report, /\| the \| 12 \|\n\| brown \| 6 \|/);
  });

  test('hyperparameter-sweep: trains and scores each candidate, picks the best', async () => {
    const { spec } = await compiledExample('hyperparameter-sweep.ts');
    assert.ok(spec.components?.['comp-train-and-score']?.dag, 'the trial is a nested pipeline');
    const candidates = [
      { learning_rate: 0.01, steps: 20 },
      { learning_rate: 0.5, steps: 50 },
    ];
    const errors: number[] = [];
    for (const candidate of candidates) {
      const trained = await runComponent(spec, 'comp-train', { parameters: candidate });
      const scored = await runComponent(spec, 'comp-score', {
        artifacts: { model: artifactOf(trained, 'model') },
      });
      errors.push(scored.parameters.mse as number);
    }
    assert.ok((errors[1] ?? 1) < (errors[0] ?? 0), `errors ${errors}`);
    const best = await runComponent(spec, 'comp-pick-best', { parameters: { candidates, errors } });
    assert.deepEqual(best.parameters.best, candidates[1]);
  });

  test('exit-handler-report: the exit task turns a final status into a report', async () => {
    const { spec, plan } = await compiledExample('exit-handler-report.ts');
    assert.equal(plan.summary.exitHandlers, 1);
    const status = {
      state: 'FAILED',
      pipelineJobResourceName: 'run-42',
      pipelineTaskName: 'exit-handler-1',
      error: { code: 9, message: 'processing batch-2 failed on purpose' },
    };
    const reported = await runComponent(spec, 'comp-report-status', {
      parameters: { status, channel: '#ml' },
    });
    assert.match(reported.stdout, /\[#ml\] exit-handler-1: FAILED/);
    const report = await readFile(artifactOf(reported, 'report').path, 'utf8');
    assert.match(
      report,
      /# Run run-42\n\n- state: \*\*FAILED\*\*\n- reported to: #ml\n- error: processing batch-2/,
    );
  });
});
