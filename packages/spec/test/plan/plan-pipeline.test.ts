import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadPipelineText } from '../../src/load/load-pipeline.ts';
import type {
  ComponentSpec,
  PipelineSpec,
  PipelineTaskSpec,
  ValueOrRuntimeParameter,
} from '../../src/model/pipeline-spec.ts';
import type { DagPlan, ExecutionPlan, ParameterBinding, TaskPlan } from '../../src/plan/execution-plan.ts';
import { planPipeline } from '../../src/plan/plan-pipeline.ts';
import { kfpFixtureNames, loadKfpFixture } from '../support/kfp-fixtures.ts';

/** A fresh copy of a fixture's spec on every call, so a test may change it. */
const loadFixture = (name: string): PipelineSpec => loadKfpFixture(name).spec;

/** Every DAG of the plan tree with the path of task keys that leads to it. */
function* dagsOf(dag: DagPlan, trail: readonly string[] = []): Generator<[DagPlan, readonly string[]]> {
  yield [dag, trail];
  for (const task of dag.tasks) if (task.kind === 'dag') yield* dagsOf(task.dag, [...trail, task.key]);
}

function findDag(plan: ExecutionPlan, componentName: string): DagPlan {
  for (const [dag] of dagsOf(plan.root)) if (dag.componentName === componentName) return dag;
  assert.fail(`no DAG of component ${componentName}`);
}

function taskIn(dag: DagPlan, key: string): TaskPlan {
  const task = dag.tasks.find((candidate) => candidate.key === key);
  assert.ok(
    task,
    `no task ${key} in ${dag.componentName}; tasks are ${dag.tasks.map((t) => t.key).join(', ')}`,
  );
  return task;
}

function nestedDag(task: TaskPlan): DagPlan {
  assert.equal(task.kind, 'dag', `${task.key} is a ${task.kind} task`);
  return task.dag;
}

function specComponent(spec: PipelineSpec, name: string): ComponentSpec {
  const component = name === 'root' ? spec.root : spec.components?.[name];
  assert.ok(component, `no component ${name}`);
  return component;
}

function specTask(spec: PipelineSpec, componentName: string, key: string): PipelineTaskSpec {
  const task = specComponent(spec, componentName).dag?.tasks?.[key];
  assert.ok(task, `no task ${key} in ${componentName}`);
  return task;
}

/** Recomputed from the raw spec, independently of the planner: dependentTasks plus every data producer. */
function expectedUpstream(task: PipelineTaskSpec): string[] {
  const names = new Set(task.dependentTasks ?? []);
  for (const binding of Object.values(task.inputs?.parameters ?? {})) {
    if (binding.taskOutputParameter) names.add(binding.taskOutputParameter.producerTask);
    if (binding.taskFinalStatus) names.add(binding.taskFinalStatus.producerTask);
  }
  for (const binding of Object.values(task.inputs?.artifacts ?? {})) {
    if (binding.taskOutputArtifact) names.add(binding.taskOutputArtifact.producerTask);
  }
  return [...names].sort();
}

/** The reference order, by brute force: repeatedly take the smallest name whose upstream is all placed. */
function smallestTopologicalOrder(upstream: ReadonlyMap<string, readonly string[]>): string[] {
  const order: string[] = [];
  while (order.length < upstream.size) {
    const ready = [...upstream]
      .filter(([name, producers]) => !order.includes(name) && producers.every((p) => order.includes(p)))
      .map(([name]) => name)
      .sort();
    assert.ok(ready[0] !== undefined, 'the spec has a cycle');
    order.push(ready[0]);
  }
  return order;
}

describe('planPipeline on every KFP fixture', () => {
  const names = kfpFixtureNames();

  test('finds all 109 fixtures', () => {
    assert.equal(names.length, 109);
  });

  for (const name of names) {
    test(name, () => {
      const spec = loadFixture(name);
      const plan = planPipeline(spec);
      assert.deepEqual(JSON.parse(JSON.stringify(plan)), plan, 'the plan survives a JSON round trip');
      assert.deepEqual(planPipeline(loadFixture(name)), plan, 'planning again gives the same plan');

      let tasks = 0;
      for (const [dag] of dagsOf(plan.root)) {
        const specTasks = specComponent(spec, dag.componentName).dag?.tasks ?? {};
        assert.deepEqual(dag.tasks.map((task) => task.key).sort(), Object.keys(specTasks).sort());
        for (const task of dag.tasks) {
          assert.deepEqual(
            task.upstream,
            expectedUpstream(specTask(spec, dag.componentName, task.key)),
            task.key,
          );
        }
        const upstream = new Map(dag.tasks.map((task) => [task.key, task.upstream]));
        assert.deepEqual(
          dag.tasks.map((task) => task.key),
          smallestTopologicalOrder(upstream),
          `order of ${dag.componentName}`,
        );
        tasks += dag.tasks.length;
      }
      assert.equal(plan.summary.tasks.total, tasks);
    });
  }
});

describe('planPipeline semantics', () => {
  test('pipeline information and interface', () => {
    const withRoot = planPipeline(loadFixture('take_nap_pipeline_root_compiled.yaml'));
    assert.deepEqual(withRoot.pipeline, {
      name: 'take-nap-pipeline',
      description: 'Pipeline that sleeps for 15 mins (900 secs)',
      defaultPipelineRoot: 's3://change/me',
      schemaVersion: '2.1.0',
      sdkVersion: 'kfp-2.13.0',
    });
    assert.equal(
      planPipeline(loadFixture('pipeline_with_only_display_name.yaml')).pipeline.displayName,
      'echo-displayname',
    );

    const loops = planPipeline(loadFixture('pipeline_with_loops_and_conditions.yaml'));
    assert.equal(loops.planVersion, 1);
    assert.equal(loops.root.componentName, 'root');
    assert.equal(loops.inputDefinitions, loops.root.inputDefinitions);
    assert.deepEqual(loops.inputDefinitions.parameters.msg, {
      type: 'STRING',
      optional: true,
      defaultValue: 'hello',
    });
    assert.deepEqual(loops.inputDefinitions.parameters.loop_parameter?.defaultValue, [
      { A_a: 'heads', B_b: ['A', 'B'] },
      { A_a: 'tails', B_b: ['X', 'Y', 'Z'] },
    ]);

    const retry = planPipeline(loadFixture('local_execution/local_execution_pipeline_with_retry.yaml'));
    assert.deepEqual(retry.inputDefinitions.parameters, {
      counter_path: { type: 'STRING', optional: false },
    });
    assert.deepEqual(retry.outputDefinitions, { parameters: { Output: { type: 'STRING' } }, artifacts: {} });
    assert.deepEqual(retry.root.outputs.parameters, {
      Output: { kind: 'taskOutput', task: 'flaky', output: 'Output' },
    });
  });

  test('tasks come in topological order, ties broken by task key', () => {
    const plan = planPipeline(loadFixture('pipeline_with_parallelfor_list_artifacts_GH-12033.yaml'));
    assert.deepEqual(
      plan.root.tasks.map((task) => task.key),
      ['make-artifacts', 'for-loop-1', 'make-datasets', 'for-loop-2'],
    );
    const after = planPipeline(loadFixture('essential/pipeline_with_after.yaml'));
    assert.deepEqual(
      after.root.tasks.map((task) => [task.key, task.upstream]),
      [
        ['print-text', []],
        ['print-text-2', ['print-text']],
        ['print-text-3', ['print-text', 'print-text-2']],
      ],
    );
  });

  test('upstream includes producers the spec leaves out of dependentTasks', () => {
    const spec = loadFixture('pipeline_with_string_machine_fields_task_output.yaml');
    assert.equal(specTask(spec, 'root', 'sum-numbers').dependentTasks, undefined);
    const sum = taskIn(planPipeline(spec).root, 'sum-numbers');
    assert.deepEqual(sum.upstream, ['accelerator-limit', 'accelerator-type', 'cpu-limit', 'memory-limit']);
    assert.deepEqual(sum.inputs.parameters['pipelinechannel--cpu-limit-Output'], {
      kind: 'taskOutput',
      task: 'cpu-limit',
      output: 'Output',
    });
    assert.deepEqual(sum.inputs.parameters.a, { kind: 'constant', value: 1 });
  });

  test('conditions and loops are nested DAGs; raw items are parsed, input items named', () => {
    const plan = planPipeline(loadFixture('pipeline_with_loops_and_conditions.yaml'));
    const condition = taskIn(plan.root, 'condition-1');
    assert.equal(
      condition.trigger.condition,
      "inputs.parameter_values['pipelinechannel--flip-coin-op-Output'] != 'no-such-result'",
    );
    assert.deepEqual(condition.upstream, ['args-generator-op', 'flip-coin-op']);
    assert.equal(condition.iterator, undefined);
    const conditionDag = nestedDag(condition);
    assert.equal(conditionDag.componentName, 'comp-condition-1');
    assert.deepEqual(
      conditionDag.tasks.map((task) => task.key),
      ['args-generator-op-2', 'for-loop-2'],
    );

    const loop = taskIn(conditionDag, 'for-loop-2');
    assert.deepEqual(loop.iterator, {
      kind: 'parameter',
      items: { kind: 'input', name: 'pipelinechannel--args-generator-op-Output' },
      itemInput: 'pipelinechannel--args-generator-op-Output-loop-item',
      parallelismLimit: 0,
    });
    const loopDag = nestedDag(loop);
    assert.deepEqual(taskIn(loopDag, 'for-loop-12').iterator, {
      kind: 'parameter',
      items: { kind: 'raw', values: ['1', '2'] },
      itemInput: 'pipelinechannel--loop-item-param-11',
      parallelismLimit: 0,
    });
    const structLoop = taskIn(nestedDag(taskIn(loopDag, 'condition-5')), 'for-loop-7');
    assert.deepEqual(structLoop.iterator?.kind === 'parameter' && structLoop.iterator.items, {
      kind: 'raw',
      values: [{ a: '-1' }, { a: '-2' }],
    });

    const subvar = taskIn(findDag(plan, 'comp-condition-15'), 'for-loop-16');
    assert.deepEqual(subvar.inputs.parameters['pipelinechannel--loop_parameter-loop-item-subvar-B_b'], {
      kind: 'componentInput',
      name: 'pipelinechannel--loop_parameter-loop-item',
      parameterExpressionSelector: 'parseJson(string_value)["B_b"]',
    });
    assert.deepEqual(plan.summary, {
      dags: 15,
      tasks: { total: 27, container: 13, importer: 0, resolver: 0, dag: 14 },
      iterators: 8,
      conditions: 6,
      exitHandlers: 0,
    });
  });

  test('parallelismLimit is read from iteratorPolicy, 0 when absent', () => {
    const plan = planPipeline(loadFixture('pipeline_with_parallelfor_pipeline_param.yaml'));
    assert.equal(taskIn(plan.root, 'for-loop-1').iterator?.parallelismLimit, 1);
    assert.equal(taskIn(plan.root, 'for-loop-4').iterator?.parallelismLimit, 2);
    const secret = planPipeline(loadFixture('parallel_and_nested/parallel_for_secret.yaml'));
    assert.equal(taskIn(secret.root, 'for-loop-2').iterator?.parallelismLimit, 1);
  });

  test('an artifact iterator, and DAG outputs that collect artifacts from a loop', () => {
    const plan = planPipeline(loadFixture('pipeline_with_parallelfor_list_artifacts_GH-12033.yaml'));
    const loop = taskIn(plan.root, 'for-loop-1');
    assert.deepEqual(loop.iterator, {
      kind: 'artifact',
      inputArtifact: 'pipelinechannel--make-artifacts-Output',
      itemInput: 'pipelinechannel--make-artifacts-Output-loop-item',
      parallelismLimit: 0,
    });
    assert.deepEqual(loop.inputs.artifacts, {
      'pipelinechannel--make-artifacts-Output': {
        kind: 'taskOutput',
        task: 'make-artifacts',
        output: 'Output',
      },
    });
    assert.deepEqual(loop.upstream, ['make-artifacts']);
    const makeArtifacts = nestedDag(taskIn(plan.root, 'make-artifacts'));
    assert.deepEqual(makeArtifacts.outputs.artifacts, {
      Output: { selectors: [{ task: 'for-loop-1', output: 'pipelinechannel--make-artifact-Output' }] },
    });
    assert.deepEqual(makeArtifacts.outputDefinitions.artifacts.Output, {
      artifactType: { schemaTitle: 'system.Artifact', schemaVersion: '0.0.1' },
      isList: true,
    });
    assert.deepEqual(nestedDag(loop).inputDefinitions.artifacts['pipelinechannel--make-artifacts-Output'], {
      artifactType: { schemaTitle: 'system.Artifact', schemaVersion: '0.0.1' },
      isList: true,
      optional: false,
    });
  });

  test('valueFromOneof outputs list their candidates in order', () => {
    const plan = planPipeline(loadFixture('if_elif_else_complex.yaml'));
    assert.deepEqual(findDag(plan, 'comp-condition-branches-5').outputs.parameters, {
      'pipelinechannel--condition-branches-5-oneof-1': {
        kind: 'oneof',
        candidates: [
          { task: 'condition-6', output: 'pipelinechannel--print-and-return-2-Output' },
          { task: 'condition-7', output: 'pipelinechannel--print-and-return-3-Output' },
        ],
      },
    });
    const consumer = taskIn(findDag(plan, 'comp-condition-8'), 'print-and-return-4');
    assert.deepEqual(consumer.upstream, ['condition-branches-5']);
    assert.deepEqual(findDag(plan, 'comp-for-loop-1').outputs.parameters, {
      'pipelinechannel--int-0-to-9999-Output': {
        kind: 'taskOutput',
        task: 'int-0-to-9999',
        output: 'Output',
      },
    });

    const artifacts = planPipeline(loadFixture('if_else_with_oneof_artifacts.yaml'));
    const oneofArtifacts = [...dagsOf(artifacts.root)].flatMap(([dag]) =>
      Object.values(dag.outputs.artifacts),
    );
    assert.ok(oneofArtifacts.some((source) => source.selectors.length === 2));
  });

  test('retry policies become numbers with KFP defaults', () => {
    const spec = loadFixture('local_execution/local_execution_pipeline_with_retry.yaml');
    assert.deepEqual(taskIn(planPipeline(spec).root, 'flaky').retry, {
      maxRetryCount: 3,
      backoffMs: 0,
      backoffFactor: 1,
      maxBackoffMs: 3_600_000,
    });
    const flaky = specTask(spec, 'root', 'flaky');
    flaky.retryPolicy = { maxRetryCount: 2, backoffDuration: '3.5s', backoffMaxDuration: '90s' };
    assert.deepEqual(taskIn(planPipeline(spec).root, 'flaky').retry, {
      maxRetryCount: 2,
      backoffMs: 3500,
      backoffFactor: 2,
      maxBackoffMs: 90_000,
    });
    flaky.retryPolicy = { backoffDuration: '0.000000001s', backoffFactor: 0, backoffMaxDuration: '7200s' };
    assert.deepEqual(taskIn(planPipeline(spec).root, 'flaky').retry, {
      maxRetryCount: 0,
      backoffMs: 1,
      backoffFactor: 2,
      maxBackoffMs: 3_600_000,
    });
    // KFP's local runner reads a factor that is not above 0 (NaN included) as unset.
    flaky.retryPolicy = { maxRetryCount: 1, backoffFactor: Number.NaN };
    assert.equal(taskIn(planPipeline(spec).root, 'flaky').retry.backoffFactor, 2);
    flaky.retryPolicy = { maxRetryCount: 1, backoffFactor: Number.POSITIVE_INFINITY };
    assert.equal(taskIn(planPipeline(spec).root, 'flaky').retry.backoffFactor, Number.MAX_VALUE);
    delete flaky.retryPolicy;
    assert.deepEqual(taskIn(planPipeline(spec).root, 'flaky').retry, {
      maxRetryCount: 0,
      backoffMs: 0,
      backoffFactor: 2,
      maxBackoffMs: 3_600_000,
    });
  });

  test('caching is on only where enableCache is true; a cache key is kept', () => {
    const spec = loadFixture('critical/collected_parameters.yaml');
    const plan = planPipeline(spec);
    assert.deepEqual(taskIn(plan.root, 'collecting-parameters').caching, { enabled: false });
    const inner = findDag(plan, 'comp-collecting-parameters');
    assert.deepEqual(taskIn(inner, 'split-ids').caching, { enabled: true });
    assert.deepEqual(taskIn(inner, 'consume-ids').caching, { enabled: false });
    assert.deepEqual(taskIn(inner, 'for-loop-1').caching, { enabled: false });

    specTask(spec, 'comp-collecting-parameters', 'split-ids').cachingOptions = {
      enableCache: true,
      cacheKey: 'ids-v2',
    };
    const keyed = taskIn(findDag(planPipeline(spec), 'comp-collecting-parameters'), 'split-ids');
    assert.deepEqual(keyed.caching, { enabled: true, cacheKey: 'ids-v2' });
  });

  test('executor tasks name their executor and kind', () => {
    const plan = planPipeline(loadFixture('pipeline_with_importer.yaml'));
    const importer = taskIn(plan.root, 'importer');
    assert.ok(importer.kind === 'importer', importer.kind);
    assert.equal(importer.executorLabel, 'exec-importer');
    assert.deepEqual(importer.executorPath, ['deploymentSpec', 'executors', 'exec-importer']);
    assert.deepEqual(importer.inputs.parameters.uri, {
      kind: 'constant',
      value: 'gs://ml-pipeline-playground/shakespeare1.txt',
    });
    assert.deepEqual(importer.outputDefinitions.artifacts.artifact?.artifactType, {
      schemaTitle: 'system.Dataset',
      schemaVersion: '0.0.1',
    });
    const train = taskIn(plan.root, 'train');
    assert.equal(train.kind, 'container');
    assert.deepEqual(train.upstream, ['importer']);
    assert.deepEqual(
      plan.root.tasks.map((task) => task.key),
      ['importer', 'train', 'condition-1'],
    );
    assert.equal(taskIn(nestedDag(taskIn(plan.root, 'condition-1')), 'importer-2').kind, 'importer');
  });

  test('an exit handler: the exit task guards the exit-handler DAG', () => {
    const plan = planPipeline(loadFixture('failing/pipeline_with_exit_handler.yaml'));
    assert.deepEqual(
      plan.root.tasks.map((task) => task.key),
      ['exit-handler-1', 'print-op'],
    );
    const [handler, exit] = plan.root.tasks;
    assert.equal(handler?.kind, 'dag');
    assert.deepEqual(handler?.exitTasks, ['print-op']);
    assert.equal(handler?.guards, undefined);
    assert.equal(exit?.trigger.strategy, 'ALL_UPSTREAM_TASKS_COMPLETED');
    assert.deepEqual(exit?.guards, ['exit-handler-1']);
    assert.equal(exit?.exitTasks, undefined);
    assert.equal(plan.summary.exitHandlers, 1);
    for (const task of nestedDag(taskIn(plan.root, 'exit-handler-1')).tasks) {
      assert.equal(task.guards, undefined);
      assert.equal(task.trigger.strategy, 'ALL_UPSTREAM_TASKS_SUCCEEDED');
    }
  });

  test('several exit handlers, each with its own exit task', () => {
    const plan = planPipeline(loadFixture('failing/pipeline_with_multiple_exit_handlers.yaml'));
    const roles = plan.root.tasks.map((task) => [task.key, task.guards ?? null, task.exitTasks ?? null]);
    assert.deepEqual(roles, [
      ['exit-handler-1', null, ['print-op']],
      ['exit-handler-2', null, ['print-op-3']],
      ['exit-handler-3', null, ['print-op-5']],
      ['print-op', ['exit-handler-1'], null],
      ['print-op-3', ['exit-handler-2'], null],
      ['print-op-5', ['exit-handler-3'], null],
    ]);
    assert.equal(plan.summary.exitHandlers, 3);
  });

  test('an exit task receives the final status of what it guards, and may itself be a DAG', () => {
    const plan = planPipeline(loadFixture('pipeline_with_task_final_status.yaml'));
    const exit = taskIn(plan.root, 'exit-op');
    assert.deepEqual(exit.inputs.parameters, {
      status: { kind: 'taskFinalStatus', task: 'exit-handler-1' },
      user_input: { kind: 'componentInput', name: 'message' },
    });
    assert.deepEqual(exit.guards, ['exit-handler-1']);
    assert.equal(taskIn(plan.root, 'exit-handler-1').displayName, 'my-pipeline');
    assert.ok(exit.kind === 'container', exit.kind);
    assert.deepEqual(exit.inputDefinitions.parameters.status, { type: 'TASK_FINAL_STATUS', optional: true });

    const dagExit = taskIn(
      planPipeline(loadFixture('pipeline_as_exit_task.yaml')).root,
      'conditional-notification',
    );
    assert.equal(dagExit.kind, 'dag');
    assert.deepEqual(dagExit.guards, ['exit-handler-1']);
  });

  test('ignore_upstream_failure alone does not make an exit task', () => {
    // No fixture uses .ignore_upstream_failure(); KFP compiles it to this strategy on an ordinary task.
    const spec = loadFixture('critical/producer_consumer_param_pipeline.yaml');
    specTask(spec, 'root', 'consumer').triggerPolicy = { strategy: 'ALL_UPSTREAM_TASKS_COMPLETED' };
    const plan = planPipeline(spec);
    const consumer = taskIn(plan.root, 'consumer');
    assert.equal(consumer.trigger.strategy, 'ALL_UPSTREAM_TASKS_COMPLETED');
    assert.equal(consumer.guards, undefined);
    assert.equal(taskIn(plan.root, 'producer').exitTasks, undefined);
    assert.equal(plan.summary.exitHandlers, 0);

    // .after() a task inside a ParallelFor makes the loop's DAG task the upstream: still not an exit handler.
    const loops = loadFixture('critical/parallel_for_after_dependency.yaml');
    specTask(loops, 'root', 'print-op-2').triggerPolicy = { strategy: 'ALL_UPSTREAM_TASKS_COMPLETED' };
    const afterLoop = taskIn(planPipeline(loops).root, 'print-op-2');
    assert.deepEqual(afterLoop.upstream, ['for-loop-2']);
    assert.equal(afterLoop.guards, undefined);
  });

  test('constants in the deprecated constantValue form, and runtime parameters', () => {
    const spec = loadFixture('essential/pipeline_with_after.yaml');
    const parameters = specTask(spec, 'root', 'print-text').inputs?.parameters;
    assert.ok(parameters);
    const cases: [ValueOrRuntimeParameter, ParameterBinding][] = [
      [{ constantValue: { stringValue: 'text' } }, { kind: 'constant', value: 'text' }],
      [{ constantValue: { stringValue: '' } }, { kind: 'constant', value: '' }],
      [{ constantValue: { intValue: 7 } }, { kind: 'constant', value: 7 }],
      // protobuf's JSON mapping writes int64 as a string
      [{ constantValue: { intValue: '-12' as unknown as number } }, { kind: 'constant', value: -12 }],
      [{ constantValue: { doubleValue: 1.5 } }, { kind: 'constant', value: 1.5 }],
      [{ constant: null }, { kind: 'constant', value: null }],
      [{ constant: -0 }, { kind: 'constant', value: 0 }],
      [
        { constant: { nested: [1, { deep: true }] } },
        { kind: 'constant', value: { nested: [1, { deep: true }] } },
      ],
      [{ runtimeParameter: 'text' }, { kind: 'runtimeParameter', name: 'text' }],
    ];
    for (const [runtimeValue, expected] of cases) {
      parameters.text = { runtimeValue };
      const plan = planPipeline(spec);
      assert.deepEqual(
        taskIn(plan.root, 'print-text').inputs.parameters.text,
        expected,
        JSON.stringify(runtimeValue),
      );
      assert.deepEqual(JSON.parse(JSON.stringify(plan)), plan);
    }
  });

  test('a DAG component used by two tasks is planned once and counted per use', () => {
    const spec = loadFixture('parallel_and_nested/pipeline_in_pipeline.yaml');
    const plan = planPipeline(spec);
    const dagTask = plan.root.tasks.find((task) => task.kind === 'dag');
    assert.ok(dagTask?.kind === 'dag');
    const tasks = spec.root.dag?.tasks;
    const original = tasks?.[dagTask.key];
    assert.ok(tasks && original);
    tasks.again = { ...original, taskInfo: { name: 'again' } };
    const twice = planPipeline(spec);
    const [first, second] = twice.root.tasks.filter((task) => task.kind === 'dag');
    assert.ok(first?.kind === 'dag' && second?.kind === 'dag');
    assert.equal(first.dag, second.dag);
    const reused = [...dagsOf(dagTask.dag)].map(([dag]) => dag);
    assert.equal(twice.summary.dags, plan.summary.dags + reused.length);
    const reusedTasks = reused.reduce((total, dag) => total + dag.tasks.length, 0);
    assert.equal(twice.summary.tasks.total, plan.summary.tasks.total + 1 + reusedTasks);
  });

  test('the plan does not depend on the order the spec lists things in, down to its JSON text', () => {
    /**
     * The same document with the keys of every message and map in reverse order. JSON values (defaults,
     * constants) keep theirs: the plan passes them on as the author wrote them.
     */
    const jsonValues = new Set(['defaultValue', 'constant', 'metadata']);
    const reversed = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(reversed);
      if (typeof value !== 'object' || value === null) return value;
      const entries = Object.entries(value).reverse();
      return Object.fromEntries(
        entries.map(([key, item]) => [key, jsonValues.has(key) ? item : reversed(item)]),
      );
    };
    for (const name of ['pipeline_with_loops_and_conditions.yaml', 'if_elif_else_complex.yaml']) {
      const spec = loadFixture(name);
      const text = JSON.stringify(planPipeline(spec));
      assert.equal(JSON.stringify(planPipeline(reversed(spec) as PipelineSpec)), text, name);
    }
  });

  test('names that are also properties of Object.prototype are ordinary names', () => {
    const { pipeline } = loadPipelineText(`
pipelineInfo: {name: prototype-names}
schemaVersion: 2.1.0
components:
  __proto__: {executorLabel: toString}
  constructor:
    dag:
      tasks:
        hasOwnProperty: {componentRef: {name: __proto__}}
deploymentSpec:
  executors:
    toString: {container: {image: alpine}}
root:
  dag:
    tasks:
      __proto__: {componentRef: {name: constructor}}
      valueOf:
        componentRef: {name: __proto__}
        dependentTasks: [__proto__]
`);
    assert.ok(pipeline);
    const plan = planPipeline(pipeline.spec);
    assert.deepEqual(
      plan.root.tasks.map((task) => [task.key, task.kind, task.upstream]),
      [
        ['__proto__', 'dag', []],
        ['valueOf', 'container', ['__proto__']],
      ],
    );
    assert.deepEqual(
      nestedDag(taskIn(plan.root, '__proto__')).tasks.map((task) => task.key),
      ['hasOwnProperty'],
    );
    assert.deepEqual(JSON.parse(JSON.stringify(plan)), plan);
  });
});
