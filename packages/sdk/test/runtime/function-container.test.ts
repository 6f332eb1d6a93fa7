import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { JsonObject, JsonValue } from '@cairn/spec';
import type {
  Artifact,
  ClassificationMetrics,
  Dataset,
  HTML,
  Markdown,
  Metrics,
  Model,
} from '../../src/runtime/artifacts.ts';
import type { ExecutorInput, ExecutorOutput } from '../../src/runtime/executor-runtime.ts';
import {
  type FunctionContainer,
  type FunctionSignature,
  functionContainer,
} from '../../src/runtime/function-container.ts';
import { type ContainerRun, runContainer } from '../support/run-container.ts';

const scratch = await mkdtemp(join(tmpdir(), 'cairn-function-container-'));
after(() => rm(scratch, { recursive: true, force: true }));

/** A task's own directory, as the backend would lay one out, with file:// URIs into it. */
async function taskDirectory(): Promise<{ dir: string; uri: (name: string) => string }> {
  const dir = await mkdtemp(join(scratch, 'task-'));
  return { dir, uri: (name) => pathToFileURL(join(dir, name)).href };
}

/** Runs the container's command and args as a container runtime would, with `{{$}}` resolved. */
function runTask(container: FunctionContainer, executorInput: ExecutorInput | string): Promise<ContainerRun> {
  return runContainer(container, executorInput, scratch);
}

async function readJson(path: string): Promise<unknown> {
  return JSON.parse(await readFile(path, 'utf8'));
}

describe('function components run as containers', () => {
  it('pass parameters of every type in and out, leaving out an optional one that has no value', async () => {
    const signature: FunctionSignature = {
      inputs: {
        text: { kind: 'parameter', type: 'STRING', optional: false },
        count: { kind: 'parameter', type: 'NUMBER_INTEGER', optional: false },
        ratio: { kind: 'parameter', type: 'NUMBER_DOUBLE', optional: false },
        flag: { kind: 'parameter', type: 'BOOLEAN', optional: false },
        items: { kind: 'parameter', type: 'LIST', optional: false },
        config: { kind: 'parameter', type: 'STRUCT', optional: false },
        textConfig: { kind: 'parameter', type: 'STRUCT', optional: false },
        maybe: { kind: 'parameter', type: 'STRING', optional: true },
      },
      outputs: {
        shout: { kind: 'parameter', type: 'STRING' },
        next: { kind: 'parameter', type: 'NUMBER_INTEGER' },
        half: { kind: 'parameter', type: 'NUMBER_DOUBLE' },
        negated: { kind: 'parameter', type: 'BOOLEAN' },
        reversed: { kind: 'parameter', type: 'LIST' },
        merged: { kind: 'parameter', type: 'STRUCT' },
        seen: { kind: 'parameter', type: 'STRING' },
      },
    };
    const container = functionContainer({
      name: 'every-type',
      signature,
      fn: async (inputs: {
        text: string;
        count: number;
        ratio: number;
        flag: boolean;
        items: string[];
        config: Record<string, number>;
        textConfig: Record<string, number>;
        maybe?: string;
      }) => {
        const seen = Object.entries(inputs)
          .map(([name, value]) => `${name}:${Array.isArray(value) ? 'array' : typeof value}`)
          .join(',');
        console.log(`running every-type on Node ${process.version}`);
        return {
          shout: `${inputs.text.toUpperCase()}!`,
          next: inputs.count + 1,
          half: inputs.ratio / 2,
          negated: !inputs.flag,
          reversed: [...inputs.items].reverse(),
          merged: { ...inputs.config, ...inputs.textConfig, hasMaybe: 'maybe' in inputs },
          seen,
        };
      },
    });
    const task = await taskDirectory();
    const executorInput: ExecutorInput = {
      inputs: {
        parameterValues: {
          text: 'hello world',
          count: 41,
          ratio: 0.5,
          flag: true,
          items: ['a', 'b', 'c'],
          config: { x: 1 },
          // Parameters may arrive as JSON text (KFP v1 style).
          textConfig: '{"y": 2}',
        },
      },
      outputs: {
        parameters: Object.fromEntries(
          Object.keys(signature.outputs).map((name) => [
            name,
            { outputFile: join(task.dir, 'params', name) },
          ]),
        ),
        outputFile: join(task.dir, 'out', 'executor_output.json'),
      },
    };

    const result = await runTask(container, executorInput);

    assert.equal(result.stderr, '');
    assert.equal(result.code, 0);
    // The Node that runs the program is the one PATH gives the shell, here the repository's Node 24.
    assert.match(result.stdout, /^running every-type on Node v24\.\d+\.\d+\n$/);
    const expected = {
      shout: 'HELLO WORLD!',
      next: 42,
      half: 0.25,
      negated: false,
      reversed: ['c', 'b', 'a'],
      merged: { x: 1, y: 2, hasMaybe: false },
      // The signature is embedded with its names sorted, which is the order the inputs come in.
      seen: 'config:object,count:number,flag:boolean,items:array,ratio:number,text:string,textConfig:object',
    };
    assert.deepEqual(await readJson(join(task.dir, 'out', 'executor_output.json')), {
      parameterValues: expected,
      artifacts: {},
    } satisfies ExecutorOutput);
    const files = Object.fromEntries(
      await Promise.all(
        Object.keys(expected).map(async (name) => [
          name,
          await readFile(join(task.dir, 'params', name), 'utf8'),
        ]),
      ),
    );
    assert.deepEqual(files, {
      shout: 'HELLO WORLD!',
      next: '42',
      half: '0.25',
      negated: 'false',
      reversed: '["c","b","a"]',
      merged: '{"x":1,"y":2,"hasMaybe":false}',
      seen: expected.seen,
    });
  });

  it('hand artifacts in and out, create output directories and report metadata', async () => {
    const signature: FunctionSignature = {
      inputs: {
        table: { kind: 'artifact', schemaTitle: 'system.Dataset', list: false, optional: false },
        shards: { kind: 'artifact', schemaTitle: 'system.Dataset', list: true, optional: false },
        anything: { kind: 'artifact', schemaTitle: 'system.Artifact', list: false, optional: false },
        baseline: { kind: 'artifact', schemaTitle: 'system.Model', list: false, optional: true },
        threshold: { kind: 'parameter', type: 'NUMBER_DOUBLE', optional: false },
      },
      outputs: {
        model: { kind: 'artifact', schemaTitle: 'system.Model', list: false },
        scores: { kind: 'artifact', schemaTitle: 'system.Metrics', list: false },
        quality: { kind: 'artifact', schemaTitle: 'system.ClassificationMetrics', list: false },
        page: { kind: 'artifact', schemaTitle: 'system.HTML', list: false },
        notes: { kind: 'artifact', schemaTitle: 'system.Markdown', list: false },
        rows: { kind: 'parameter', type: 'NUMBER_INTEGER' },
        classes: { kind: 'parameter', type: 'STRING' },
      },
    };
    const container = functionContainer({
      name: 'train',
      signature,
      fn: async (
        inputs: {
          table: Dataset;
          shards: Dataset[];
          anything: Artifact;
          baseline?: Model;
          threshold: number;
        },
        outputs: {
          model: Model;
          scores: Metrics;
          quality: ClassificationMetrics;
          page: HTML;
          notes: Markdown;
        },
      ) => {
        const { readFile, writeFile } = await import('node:fs/promises');
        const table = await readFile(inputs.table.path, 'utf8');
        const shardRows = await Promise.all(inputs.shards.map((shard) => readFile(shard.path, 'utf8')));
        const rows = [table, ...shardRows].flatMap((text) => text.trim().split('\n'));
        await writeFile(
          outputs.model.path,
          JSON.stringify({ rows: rows.length, source: inputs.table.metadata.source }),
        );
        outputs.model.framework = 'handmade';
        outputs.scores.logMetric('rows', rows.length);
        outputs.scores.logMetric('threshold', inputs.threshold);
        outputs.quality.logConfusionMatrix(
          ['no', 'yes'],
          [
            [3, 1],
            [0, 4],
          ],
        );
        outputs.quality.logRocCurve([0, 1], [0, 1], [1, 0]);
        await writeFile(outputs.page.path, `<p>${rows.length} rows</p>`);
        await writeFile(outputs.notes.path, `# ${inputs.shards.length} shards`);
        outputs.notes.metadata.shardNames = inputs.shards.map((shard) => shard.name);
        const classes = [inputs.table, ...inputs.shards, inputs.anything].map(
          (artifact) => artifact.constructor.name,
        );
        return { rows: rows.length, classes: `${classes.join(',')};baseline:${'baseline' in inputs}` };
      },
    });
    const task = await taskDirectory();
    await mkdir(join(task.dir, 'in'));
    await writeFile(join(task.dir, 'in', 'table.csv'), 'a\nb\n');
    for (const shard of ['s0', 's1', 's2']) await writeFile(join(task.dir, 'in', shard), `${shard}-row\n`);
    await writeFile(join(task.dir, 'in', 'anything'), '');
    const dataset = { schemaTitle: 'system.Dataset', schemaVersion: '0.0.1' };
    const output = (name: string, schemaTitle: string) => ({
      artifacts: [{ name, type: { schemaTitle }, uri: task.uri(`out/deep/${name}/data`) }],
    });
    const executorInput: ExecutorInput = {
      inputs: {
        parameterValues: { threshold: 0.5 },
        artifacts: {
          table: {
            artifacts: [
              { name: 'table', type: dataset, uri: task.uri('in/table.csv'), metadata: { source: 'survey' } },
            ],
          },
          shards: {
            artifacts: ['s0', 's1', 's2'].map((name) => ({
              name,
              type: dataset,
              uri: task.uri(`in/${name}`),
            })),
          },
          // A Dataset given to an input declared as Artifact: the backend's type wins, as in KFP.
          anything: { artifacts: [{ name: 'anything', type: dataset, uri: task.uri('in/anything') }] },
        },
      },
      outputs: {
        artifacts: {
          model: output('model', 'system.Model'),
          scores: output('scores', 'system.Metrics'),
          quality: output('quality', 'system.ClassificationMetrics'),
          page: output('page', 'system.HTML'),
          notes: output('notes', 'system.Markdown'),
        },
        parameters: { rows: { outputFile: join(task.dir, 'params', 'rows') } },
        outputFile: join(task.dir, 'executor_output.json'),
      },
    };

    const result = await runTask(container, executorInput);

    assert.equal(result.stderr, '');
    assert.equal(result.code, 0);
    const artifactPath = (name: string) => join(task.dir, 'out', 'deep', name, 'data');
    assert.equal(await readFile(artifactPath('model'), 'utf8'), '{"rows":5,"source":"survey"}');
    assert.equal(await readFile(artifactPath('page'), 'utf8'), '<p>5 rows</p>');
    assert.equal(await readFile(artifactPath('notes'), 'utf8'), '# 3 shards');
    assert.equal(existsSync(join(task.dir, 'out', 'deep', 'scores')), true);
    assert.equal(await readFile(join(task.dir, 'params', 'rows'), 'utf8'), '5');
    const reported = (name: string, metadata: JsonObject) => ({
      artifacts: [{ name, uri: task.uri(`out/deep/${name}/data`), metadata }],
    });
    assert.deepEqual(await readJson(join(task.dir, 'executor_output.json')), {
      parameterValues: { rows: 5, classes: 'Dataset,Dataset,Dataset,Dataset,Dataset;baseline:false' },
      artifacts: {
        model: reported('model', { framework: 'handmade' }),
        notes: reported('notes', { shardNames: ['s0', 's1', 's2'] }),
        page: reported('page', {}),
        quality: reported('quality', {
          confusionMatrix: {
            annotationSpecs: [{ displayName: 'no' }, { displayName: 'yes' }],
            rows: [{ row: [3, 1] }, { row: [0, 4] }],
          },
          confidenceMetrics: [
            { confidenceThreshold: 1, recall: 0, falsePositiveRate: 0 },
            { confidenceThreshold: 0, recall: 1, falsePositiveRate: 1 },
          ],
        }),
        scores: reported('scores', { rows: 5, threshold: 0.5 }),
      },
    } satisfies ExecutorOutput);
  });

  it('run a method of an object and end the task even when the function leaves a timer running', async () => {
    const component = {
      async shout(inputs: { word: string }) {
        setInterval(() => {}, 60_000);
        return { loud: inputs.word.toUpperCase() };
      },
    };
    const container = functionContainer({
      name: 'shout',
      fn: component.shout,
      signature: {
        inputs: { word: { kind: 'parameter', type: 'STRING', optional: false } },
        outputs: { loud: { kind: 'parameter', type: 'STRING' } },
      },
    });
    const task = await taskDirectory();
    const outputFile = join(task.dir, 'executor_output.json');

    const result = await runTask(container, {
      inputs: { parameterValues: { word: 'hey' } },
      outputs: { outputFile },
    });

    assert.equal(result.stderr, '');
    assert.equal(result.code, 0);
    assert.deepEqual(await readJson(outputFile), { parameterValues: { loud: 'HEY' }, artifacts: {} });
  });
});

describe('function components that fail', () => {
  const countSignature: FunctionSignature = {
    inputs: { n: { kind: 'parameter', type: 'NUMBER_INTEGER', optional: false } },
    outputs: {
      count: { kind: 'parameter', type: 'NUMBER_INTEGER' },
      report: { kind: 'artifact', schemaTitle: 'system.Markdown', list: false },
    },
  };

  async function runCount(
    fn: (inputs: { n: number }, outputs: { report: Markdown }) => unknown,
    parameterValues: Record<string, JsonValue> = { n: 3 },
  ): Promise<ContainerRun & { outputFile: string }> {
    const task = await taskDirectory();
    const outputFile = join(task.dir, 'executor_output.json');
    const container = functionContainer({ name: 'count', fn, signature: countSignature });
    const result = await runTask(container, {
      inputs: { parameterValues },
      outputs: {
        artifacts: { report: { artifacts: [{ name: 'report', uri: task.uri('report.md') }] } },
        parameters: { count: { outputFile: join(task.dir, 'count') } },
        outputFile,
      },
    });
    return { ...result, outputFile };
  }

  it('report a returned value of the wrong type, naming the output, the value and the type', async () => {
    const result = await runCount((inputs) => ({ count: inputs.n + 0.5 }));
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      "cairn executor: function 'count' returned 3.5 (number) for output parameter 'count', which must be NUMBER_INTEGER (an integer)\n",
    );
    assert.equal(existsSync(result.outputFile), false);
  });

  it('report returned values that are missing, misplaced or not JSON', async () => {
    const cases: [(inputs: { n: number }, outputs: { report: Markdown }) => unknown, RegExp][] = [
      [() => null, /returned null \(null\); it should return an object with its output parameters \(count\)/],
      [() => undefined, /did not return output parameter 'count'/],
      [() => 7, /returned 7 \(number\); it should return an object/],
      [() => ({}), /did not return output parameter 'count'/],
      [() => ({ count: 1, extra: 2 }), /returned 'extra', which is not one of its outputs/],
      [
        () => ({ count: 1, report: 'text' }),
        /returned 'report', which is an output artifact: write its file at outputs\.report\.path/,
      ],
      [
        (_inputs, outputs) => {
          outputs.report.metadata.when = new Date(0) as unknown as string;
          return { count: 1 };
        },
        /left metadata on output 'report' that is not a JSON object: metadata\.when is 1970-01-01T00:00:00\.000Z \(object\)/,
      ],
    ];
    for (const [fn, message] of cases) {
      const result = await runCount(fn);
      assert.equal(result.code, 1, fn.toString());
      assert.match(result.stderr, message);
      assert.equal(existsSync(result.outputFile), false);
    }
  });

  it('print the stack of an exception and exit non-zero', async () => {
    const result = await runCount(function explode() {
      throw new Error('boom in count');
    });
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /^Error: boom in count\n\s+at (?:Object\.)?explode .*\(file:\/\/.*ephemeral_component\.mjs:\d+:\d+\)/,
    );
    assert.equal(existsSync(result.outputFile), false);
  });

  it('explain that a function cannot use variables of the module it was written in', async () => {
    const result = await runCount(() => ({ count: countSignature === undefined ? 0 : 1 }));
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^ReferenceError: countSignature is not defined/);
    assert.match(result.stderr, /runs on its own, without the module it was written in/);
  });

  it('report an input that does not fit its type or is missing', async () => {
    const wrong = await runCount(() => ({ count: 1 }), { n: 1.5 });
    assert.equal(wrong.code, 1);
    assert.equal(
      wrong.stderr,
      "cairn executor: input parameter 'n' must be NUMBER_INTEGER (an integer), got 1.5 (number)\n",
    );
    const missing = await runCount(() => ({ count: 1 }), {});
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no value for input parameter 'n', which is not optional/);
  });

  it('refuse to run another function or a malformed executor input', async () => {
    const container = functionContainer({
      name: 'count',
      fn: () => ({ count: 1 }),
      signature: countSignature,
    });
    const other = await runTask(
      { ...container, args: container.args.map((arg) => (arg === 'count' ? 'other' : arg)) },
      {},
    );
    assert.equal(other.code, 1);
    assert.match(other.stderr, /--function_to_execute is 'other', but this program holds function 'count'/);
    const notJson = await runTask(container, '{not json');
    assert.equal(notJson.code, 1);
    assert.match(notJson.stderr, /--executor_input is not JSON/);
    const noOutputFile = await runTask(container, { inputs: { parameterValues: { n: 1 } } });
    assert.equal(noOutputFile.code, 1);
    assert.match(noOutputFile.stderr, /no outputs\.outputFile/);
  });
});

describe('building a function container', () => {
  const signature: FunctionSignature = {
    inputs: {
      n: { kind: 'parameter', type: 'NUMBER_INTEGER', optional: false },
      data: { kind: 'artifact', schemaTitle: 'system.Dataset', list: false, optional: true },
    },
    outputs: { doubled: { kind: 'parameter', type: 'NUMBER_INTEGER' } },
  };
  const double = (inputs: { n: number }) => ({ doubled: inputs.n * 2 });

  it('writes the program to a file and runs it with node, with the arguments of KFP', () => {
    const container = functionContainer({ name: 'double', fn: double, signature });
    assert.equal(container.image, 'node:24-slim');
    assert.deepEqual(container.command.slice(0, 3), [
      'sh',
      '-ec',
      'program_path=$(mktemp -d)\nprintf "%s" "$0" > "$program_path/ephemeral_component.mjs"\nexec node "$program_path/ephemeral_component.mjs" "$@"\n',
    ]);
    assert.equal(container.command.length, 4);
    assert.deepEqual(container.args, ['--executor_input', '{{$}}', '--function_to_execute', 'double']);
    assert.equal(
      functionContainer({ name: 'double', fn: double, signature, image: 'acme/node:24' }).image,
      'acme/node:24',
    );
  });

  it('gives the same command for the same function and signature, in any key order and any process', async () => {
    const fn = new Function('inputs', 'return { doubled: inputs.n * 2 };') as (inputs: {
      n: number;
    }) => unknown;
    const first = functionContainer({ name: 'double', fn, signature });
    const reordered: FunctionSignature = {
      outputs: { doubled: { type: 'NUMBER_INTEGER', kind: 'parameter' } },
      inputs: {
        data: { optional: true, list: false, schemaTitle: 'system.Dataset', kind: 'artifact' },
        n: { optional: false, type: 'NUMBER_INTEGER', kind: 'parameter' },
      },
    };
    assert.deepEqual(functionContainer({ name: 'double', fn, signature: reordered }), first);

    const moduleUrl = new URL('../../src/runtime/function-container.ts', import.meta.url).href;
    const script = [
      `const { functionContainer } = await import(${JSON.stringify(moduleUrl)});`,
      "const fn = new Function('inputs', 'return { doubled: inputs.n * 2 };');",
      `const signature = ${JSON.stringify(signature)};`,
      "process.stdout.write(JSON.stringify(functionContainer({ name: 'double', fn, signature })));",
    ].join('\n');
    const child = spawn(process.execPath, ['--input-type=module', '--eval', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    const [code] = await once(child, 'close');
    assert.equal(code, 0);
    assert.deepEqual(JSON.parse(stdout), first);
  });

  it('gives a different command when the function, its name or its signature differ', () => {
    const base = functionContainer({ name: 'double', fn: double, signature });
    const triple = (inputs: { n: number }) => ({ doubled: inputs.n * 3 });
    assert.notEqual(functionContainer({ name: 'double', fn: triple, signature }).command[3], base.command[3]);
    assert.notEqual(functionContainer({ name: 'twice', fn: double, signature }).command[3], base.command[3]);
    const optionalN: FunctionSignature = {
      ...signature,
      inputs: { ...signature.inputs, n: { kind: 'parameter', type: 'NUMBER_INTEGER', optional: true } },
    };
    assert.notEqual(
      functionContainer({ name: 'double', fn: double, signature: optionalN }).command[3],
      base.command[3],
    );
  });

  it('rejects signatures and options the runtime cannot honour', () => {
    const attempt = (overrides: Partial<Parameters<typeof functionContainer>[0]>) => () =>
      functionContainer({ name: 'double', fn: double, signature, ...overrides });
    const withOutput = (output: unknown) =>
      attempt({
        signature: { inputs: {}, outputs: { out: output as FunctionSignature['outputs'][string] } },
      });
    assert.throws(attempt({ name: '' }), /a function component needs a non-empty name, got ""/);
    assert.throws(
      attempt({ image: '' }),
      /Function component 'double': the image must be a non-empty string/,
    );
    assert.throws(
      attempt({
        signature: {
          inputs: { n: { kind: 'parameter', type: 'INT' as 'STRING', optional: false } },
          outputs: {},
        },
      }),
      /Function component 'double': input 'n' has parameter type "INT"; expected one of NUMBER_DOUBLE, /,
    );
    assert.throws(
      attempt({
        signature: {
          inputs: { n: { kind: 'value' } as unknown as FunctionSignature['inputs'][string] },
          outputs: {},
        },
      }),
      /input 'n' has kind "value"; expected 'parameter' or 'artifact'/,
    );
    assert.throws(
      withOutput({ kind: 'parameter', type: 'TASK_FINAL_STATUS' }),
      /output 'out' cannot be of type TASK_FINAL_STATUS, which only inputs take/,
    );
    assert.throws(
      withOutput({ kind: 'artifact', schemaTitle: 'system.Dataset', list: true }),
      /output 'out' is a list of artifacts, which a function cannot output/,
    );
    assert.throws(
      withOutput({ kind: 'artifact', schemaTitle: '', list: false }),
      /output 'out' needs a schema title/,
    );
  });

  it('rejects a program too long to pass as one argument', () => {
    const bulky = new Function('inputs', `/* ${'x'.repeat(140_000)} */ return {};`) as () => unknown;
    assert.throws(
      () => functionContainer({ name: 'bulky', fn: bulky, signature: { inputs: {}, outputs: {} } }),
      /Function component 'bulky': its program is \d+ bytes, over the 131071 bytes Linux allows one argument/,
    );
  });
});
