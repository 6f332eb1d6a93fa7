import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatPath, hasErrors, type PathSegment } from '../../src/issues/spec-issue.ts';
import { loadPipelineDocuments } from '../../src/load/load-pipeline.ts';
import type { PipelineSpec, PipelineTaskSpec } from '../../src/model/pipeline-spec.ts';
import { PlanError, type PlanErrorCode } from '../../src/plan/plan-error.ts';
import { planPipeline } from '../../src/plan/plan-pipeline.ts';
import { validatePipeline } from '../../src/validate/validate-pipeline.ts';
import { loadKfpFixture } from '../support/kfp-fixtures.ts';

function planFails(spec: unknown, code: PlanErrorCode, path: readonly PathSegment[], fragment = ''): void {
  assert.throws(
    () => planPipeline(spec as PipelineSpec),
    (error: unknown) => {
      assert.ok(error instanceof PlanError, `expected a PlanError, got ${String(error)}`);
      assert.equal(error.code, code, error.message);
      assert.deepEqual(error.path, path, error.message);
      assert.ok(error.reason.includes(fragment), `"${error.reason}" lacks "${fragment}"`);
      assert.equal(error.message, `${formatPath(path)}: ${error.reason}`);
      return true;
    },
  );
}

/** Writes a field whatever the model's types say, as a hand-made or corrupted spec would. */
function put(target: object | undefined, key: string, value: unknown): void {
  assert.ok(target, `nothing to set ${key} on`);
  if (value === undefined) Reflect.deleteProperty(target, key);
  else Reflect.set(target, key, value);
}

function task(spec: PipelineSpec, componentName: string, key: string): PipelineTaskSpec {
  const component = componentName === 'root' ? spec.root : spec.components?.[componentName];
  const found = component?.dag?.tasks?.[key];
  assert.ok(found, `no task ${key} in ${componentName}`);
  return found;
}

/** A fresh copy of a fixture's spec on every call, so a test may change it. */
const loadFixture = (name: string): PipelineSpec => loadKfpFixture(name).spec;

const ROOT_TASKS = ['root', 'dag', 'tasks'];
const producerConsumer = () => loadFixture('critical/producer_consumer_param_pipeline.yaml');

describe('PlanError', () => {
  test('a cycle through dependentTasks', () => {
    const spec = producerConsumer();
    put(task(spec, 'root', 'producer'), 'dependentTasks', ['consumer']);
    planFails(spec, 'DEPENDENCY_CYCLE', [...ROOT_TASKS, 'consumer'], 'consumer -> producer -> consumer');

    const three = loadFixture('essential/pipeline_with_after.yaml');
    put(task(three, 'root', 'print-text'), 'dependentTasks', ['print-text-3']);
    planFails(
      three,
      'DEPENDENCY_CYCLE',
      [...ROOT_TASKS, 'print-text'],
      'print-text -> print-text-3 -> print-text',
    );
  });

  test('a cycle inside a nested DAG, and one made by data alone', () => {
    const spec = loadFixture('failing/pipeline_with_exit_handler.yaml');
    put(task(spec, 'comp-exit-handler-1', 'fail-op'), 'dependentTasks', ['print-op-2']);
    put(task(spec, 'comp-exit-handler-1', 'print-op-2'), 'dependentTasks', ['fail-op']);
    planFails(spec, 'DEPENDENCY_CYCLE', ['components', 'comp-exit-handler-1', 'dag', 'tasks', 'fail-op']);

    const data = producerConsumer();
    put(task(data, 'root', 'producer').inputs?.parameters, 'input_text', {
      taskOutputParameter: { producerTask: 'consumer', outputParameterKey: 'Output' },
    });
    planFails(data, 'DEPENDENCY_CYCLE', [...ROOT_TASKS, 'consumer'], 'consumer -> producer -> consumer');
  });

  test('a task that waits for itself', () => {
    const spec = producerConsumer();
    put(task(spec, 'root', 'producer'), 'dependentTasks', ['producer']);
    planFails(spec, 'DEPENDENCY_CYCLE', [...ROOT_TASKS, 'producer', 'dependentTasks', 0], 'waits for itself');
  });

  test('references to tasks that are not in the DAG', () => {
    const dependency = producerConsumer();
    put(task(dependency, 'root', 'consumer'), 'dependentTasks', ['producer', 'nobody']);
    planFails(dependency, 'TASK_UNDEFINED', [...ROOT_TASKS, 'consumer', 'dependentTasks', 1], '"nobody"');

    const producer = producerConsumer();
    put(
      task(producer, 'root', 'consumer').inputs?.parameters?.input_value?.taskOutputParameter,
      'producerTask',
      'nobody',
    );
    planFails(producer, 'TASK_UNDEFINED', [...ROOT_TASKS, 'consumer', 'inputs', 'parameters', 'input_value']);

    const output = loadFixture('local_execution/local_execution_pipeline_with_retry.yaml');
    put(output.root.dag?.outputs?.parameters?.Output?.valueFromParameter, 'producerSubtask', 'nobody');
    planFails(output, 'TASK_UNDEFINED', [
      'root',
      'dag',
      'outputs',
      'parameters',
      'Output',
      'valueFromParameter',
      'producerSubtask',
    ]);
  });

  test('components and executors that are missing or cannot run', () => {
    const component = producerConsumer();
    put(task(component, 'root', 'consumer').componentRef, 'name', 'comp-missing');
    planFails(
      component,
      'COMPONENT_UNDEFINED',
      [...ROOT_TASKS, 'consumer', 'componentRef', 'name'],
      'comp-missing',
    );

    const executor = producerConsumer();
    put(executor.deploymentSpec?.executors, 'exec-consumer', undefined);
    planFails(
      executor,
      'EXECUTOR_UNDEFINED',
      ['components', 'comp-consumer', 'executorLabel'],
      'exec-consumer',
    );

    const customJob = producerConsumer();
    put(customJob.deploymentSpec?.executors, 'exec-consumer', { customJob: { displayName: 'x' } });
    planFails(customJob, 'EXECUTOR_UNSUPPORTED', [
      'deploymentSpec',
      'executors',
      'exec-consumer',
      'customJob',
    ]);

    const rootExecutor = producerConsumer();
    put(rootExecutor, 'root', { executorLabel: 'exec-consumer' });
    planFails(rootExecutor, 'FIELD_REQUIRED', ['root', 'dag'], 'must be a DAG');
  });

  test('a component that contains itself', () => {
    const spec = loadFixture('failing/pipeline_with_exit_handler.yaml');
    put(spec.components?.['comp-exit-handler-1']?.dag?.tasks, 'again', {
      componentRef: { name: 'comp-exit-handler-1' },
      inputs: {
        parameters: { 'pipelinechannel--message': { componentInputParameter: 'pipelinechannel--message' } },
      },
    });
    planFails(
      spec,
      'COMPONENT_RECURSION',
      ['components', 'comp-exit-handler-1', 'dag', 'tasks', 'again', 'componentRef', 'name'],
      'comp-exit-handler-1 -> comp-exit-handler-1',
    );
  });

  test('inputs that name nothing', () => {
    const spec = producerConsumer();
    put(task(spec, 'root', 'consumer').inputs?.parameters, 'input_value', {
      componentInputParameter: 'nothing',
    });
    planFails(
      spec,
      'INPUT_UNDEFINED',
      [...ROOT_TASKS, 'consumer', 'inputs', 'parameters', 'input_value'],
      '"nothing"',
    );

    const both = producerConsumer();
    put(task(both, 'root', 'consumer').inputs?.parameters, 'input_value', {
      componentInputParameter: 'text',
      runtimeValue: { constant: 'x' },
    });
    planFails(both, 'ONEOF_CONFLICT', [
      ...ROOT_TASKS,
      'consumer',
      'inputs',
      'parameters',
      'input_value',
      'componentInputParameter',
    ]);
  });

  test('iterators that cannot be expanded', () => {
    const at = [...ROOT_TASKS, 'for-loop-2', 'parameterIterator'];
    for (const raw of ['{"a": 1}', 'not json', '[1, NaN]']) {
      const spec = loadFixture('critical/parallel_for_after_dependency.yaml');
      put(task(spec, 'root', 'for-loop-2').parameterIterator?.items, 'raw', raw);
      planFails(spec, 'ITERATOR_INVALID', [...at, 'items', 'raw'], 'JSON array');
    }

    const item = loadFixture('critical/parallel_for_after_dependency.yaml');
    put(task(item, 'root', 'for-loop-2').parameterIterator, 'itemInput', 'nope');
    planFails(item, 'ITERATOR_INVALID', [...at, 'itemInput'], '"nope"');

    const limit = loadFixture('critical/parallel_for_after_dependency.yaml');
    put(task(limit, 'root', 'for-loop-2'), 'iteratorPolicy', { parallelismLimit: -1 });
    planFails(limit, 'ITERATOR_INVALID', [...ROOT_TASKS, 'for-loop-2', 'iteratorPolicy', 'parallelismLimit']);

    const input = loadFixture('pipeline_with_loops_and_conditions.yaml');
    put(
      task(input, 'root', 'for-loop-14').parameterIterator?.items,
      'inputParameter',
      'pipelinechannel--nothing',
    );
    planFails(input, 'ITERATOR_INVALID', [
      ...ROOT_TASKS,
      'for-loop-14',
      'parameterIterator',
      'items',
      'inputParameter',
    ]);

    const artifact = loadFixture('pipeline_with_parallelfor_list_artifacts_GH-12033.yaml');
    put(task(artifact, 'root', 'for-loop-1').artifactIterator?.items, 'inputArtifact', 'missing');
    planFails(artifact, 'ITERATOR_INVALID', [
      ...ROOT_TASKS,
      'for-loop-1',
      'artifactIterator',
      'items',
      'inputArtifact',
    ]);
  });

  test('retry settings no KFP runtime gives a meaning', () => {
    const at = [...ROOT_TASKS, 'flaky', 'retryPolicy'];
    const cases: [Record<string, unknown>, string][] = [
      [{ backoffDuration: '-1s' }, 'backoffDuration'],
      [{ backoffDuration: '5 seconds' }, 'backoffDuration'],
      [{ backoffMaxDuration: 30 }, 'backoffMaxDuration'],
      [{ maxRetryCount: -1 }, 'maxRetryCount'],
      [{ maxRetryCount: 1.5 }, 'maxRetryCount'],
      [{ backoffFactor: -2 }, 'backoffFactor'],
      [{ backoffFactor: '2' }, 'backoffFactor'],
    ];
    for (const [policy, field] of cases) {
      const spec = loadFixture('local_execution/local_execution_pipeline_with_retry.yaml');
      put(task(spec, 'root', 'flaky'), 'retryPolicy', policy);
      planFails(spec, 'FIELD_TYPE', [...at, field]);
    }
  });

  test('values that JSON cannot store, unknown enum values and missing types', () => {
    const nan = producerConsumer();
    put(task(nan, 'root', 'consumer').inputs?.parameters, 'input_value', {
      runtimeValue: { constant: Number.NaN },
    });
    planFails(nan, 'FIELD_TYPE', [
      ...ROOT_TASKS,
      'consumer',
      'inputs',
      'parameters',
      'input_value',
      'runtimeValue',
      'constant',
    ]);

    const strategy = producerConsumer();
    put(task(strategy, 'root', 'consumer'), 'triggerPolicy', { strategy: 'SOMETIMES' });
    planFails(
      strategy,
      'ENUM_VALUE',
      [...ROOT_TASKS, 'consumer', 'triggerPolicy', 'strategy'],
      '"SOMETIMES"',
    );

    const untyped = producerConsumer();
    put(untyped.root.inputDefinitions?.parameters?.text, 'parameterType', undefined);
    planFails(untyped, 'FIELD_REQUIRED', ['root', 'inputDefinitions', 'parameters', 'text'], 'parameterType');
  });

  test('what is not a spec at all', () => {
    planFails(null, 'FIELD_REQUIRED', [], 'PipelineSpec');
    planFails(42, 'FIELD_TYPE', [], 'PipelineSpec');
    planFails({ root: { dag: {} } }, 'FIELD_REQUIRED', ['pipelineInfo']);
  });
});

/** Paths to every value in the spec, except the insides of container specs, which the planner never reads. */
function* valuePaths(value: unknown, path: PathSegment[] = []): Generator<PathSegment[]> {
  if (path.length > 0) yield path;
  if (path.at(-1) === 'container' || typeof value !== 'object' || value === null) return;
  for (const [key, child] of Object.entries(value))
    yield* valuePaths(child, [...path, Array.isArray(value) ? Number(key) : key]);
}

function parentOf(root: unknown, path: readonly PathSegment[]): Record<PathSegment, unknown> {
  let node = root;
  for (const segment of path.slice(0, -1)) node = (node as Record<PathSegment, unknown>)[segment];
  return node as Record<PathSegment, unknown>;
}

const REPLACEMENTS = [undefined, null, 0, -1, 0.5, Number.NaN, '', 'x', true, [], [null], {}];

describe('planPipeline on corrupted specs', () => {
  for (const name of [
    'pipeline_with_loops_and_conditions.yaml',
    'if_elif_else_complex.yaml',
    'pipeline_with_parallelfor_list_artifacts_GH-12033.yaml',
    'pipeline_with_task_final_status.yaml',
    'local_execution/local_execution_pipeline_with_retry.yaml',
    'pipeline_with_importer.yaml',
  ]) {
    test(`${name}: any one value replaced gives a plan, or a PlanError for a spec the validator rejects`, () => {
      const spec = loadFixture(name);
      const outcomes = { planned: 0, refused: 0 };
      for (const path of valuePaths(spec)) {
        const parent = parentOf(spec, path);
        const key = path.at(-1) ?? '';
        const original = parent[key];
        for (const replacement of REPLACEMENTS) {
          put(parent, String(key), replacement);
          const where = `${formatPath(path)} = ${String(replacement)}`;
          try {
            const plan = planPipeline(spec);
            assert.deepEqual(JSON.parse(JSON.stringify(plan)), plan);
            outcomes.planned += 1;
          } catch (error) {
            if (!(error instanceof PlanError)) assert.fail(`${where}: ${String(error)}`);
            outcomes.refused += 1;
            // The planner's promise: whatever the loader and the validator accept, it plans.
            const { pipeline } = loadPipelineDocuments([spec]);
            if (pipeline !== undefined && !hasErrors(validatePipeline(pipeline))) {
              assert.doesNotThrow(() => planPipeline(pipeline.spec), `${where} passes validation`);
            }
          }
        }
        put(parent, String(key), original);
      }
      assert.deepEqual(spec, loadFixture(name), 'planning never changes the spec');
      assert.ok(outcomes.planned > 0 && outcomes.refused > 0, JSON.stringify(outcomes));
    });
  }
});
