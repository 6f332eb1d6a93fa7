import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { type ExecutorSpec, hasErrors, loadPipelineText, type PipelineSpec } from '@cairn/spec';
import { type Compilable, compile } from '../../src/compiler/compile.ts';
import collectedParameters from './pipelines/collected-parameters.ts';
import componentWithEnvVariable from './pipelines/component-with-env-variable.ts';
import containerWithConcatPlaceholder from './pipelines/container-with-concat-placeholder.ts';
import containerWithIfPlaceholder from './pipelines/container-with-if-placeholder.ts';
import crossLoopAfterTopology from './pipelines/cross-loop-after-topology.ts';
import helloWorld from './pipelines/hello-world.ts';
import ifElifElseComplex from './pipelines/if-elif-else-complex.ts';
import ifElifElseWithOneOfParameters from './pipelines/if-elif-else-with-oneof-parameters.ts';
import ifElseWithOneOfArtifacts from './pipelines/if-else-with-oneof-artifacts.ts';
import parallelForAfterDependency from './pipelines/parallel-for-after-dependency.ts';
import pipelineAsExitTask from './pipelines/pipeline-as-exit-task.ts';
import pipelineInPipeline from './pipelines/pipeline-in-pipeline.ts';
import pipelineInPipelineComplex from './pipelines/pipeline-in-pipeline-complex.ts';
import pipelineWithAfter from './pipelines/pipeline-with-after.ts';
import pipelineWithCondition from './pipelines/pipeline-with-condition.ts';
import pipelineWithDynamicImporterMetadata from './pipelines/pipeline-with-dynamic-importer-metadata.ts';
import pipelineWithExitHandler from './pipelines/pipeline-with-exit-handler.ts';
import pipelineWithIgnoreUpstreamFailure from './pipelines/pipeline-with-ignore-upstream-failure.ts';
import pipelineWithIgnoreUpstreamFailureAfter from './pipelines/pipeline-with-ignore-upstream-failure-after.ts';
import pipelineWithImporter from './pipelines/pipeline-with-importer.ts';
import pipelineWithInputStatusState from './pipelines/pipeline-with-input-status-state.ts';
import pipelineWithK8sOnlyMethods from './pipelines/pipeline-with-k8s-only-methods.ts';
import pipelineWithLoopsAndConditions from './pipelines/pipeline-with-loops-and-conditions.ts';
import pipelineWithMetadataFields from './pipelines/pipeline-with-metadata-fields.ts';
import pipelineWithMultipleExitHandlers from './pipelines/pipeline-with-multiple-exit-handlers.ts';
import pipelineWithParallelForListArtifacts from './pipelines/pipeline-with-parallelfor-list-artifacts.ts';
import pipelineWithParallelForPipelineParam from './pipelines/pipeline-with-parallelfor-pipeline-param.ts';
import pipelineWithRetry from './pipelines/pipeline-with-retry.ts';
import pipelineWithStringMachineFieldsPipelineInput from './pipelines/pipeline-with-string-machine-fields-pipeline-input.ts';
import pipelineWithTaskFinalStatus from './pipelines/pipeline-with-task-final-status.ts';

// KFP's compiled pipelines, the compatibility reference (vendored in fixtures/kfp/ir), and two
// more from the same place in KFP's repository (see fixtures/NOTICE.md).
const SHARED_FIXTURES = path.resolve(import.meta.dirname, '../../../../fixtures/kfp/ir');
const LOCAL_FIXTURES = path.resolve(import.meta.dirname, 'fixtures');

// Each TypeScript pipeline re-writes the KFP test pipeline that compiled to the fixture.
const CASES: readonly (readonly [fixture: string, pipeline: Compilable])[] = [
  ['hello_world.yaml', helloWorld],
  ['container_with_concat_placeholder.yaml', containerWithConcatPlaceholder],
  ['container_with_if_placeholder.yaml', containerWithIfPlaceholder],
  ['essential/pipeline_with_condition.yaml', pipelineWithCondition],
  ['if_elif_else_complex.yaml', ifElifElseComplex],
  ['if_elif_else_with_oneof_parameters.yaml', ifElifElseWithOneOfParameters],
  ['if_else_with_oneof_artifacts.yaml', ifElseWithOneOfArtifacts],
  ['pipeline_with_parallelfor_pipeline_param.yaml', pipelineWithParallelForPipelineParam],
  ['critical/collected_parameters.yaml', collectedParameters],
  ['failing/pipeline_with_exit_handler.yaml', pipelineWithExitHandler],
  ['pipeline_with_task_final_status.yaml', pipelineWithTaskFinalStatus],
  ['parallel_and_nested/pipeline_in_pipeline.yaml', pipelineInPipeline],
  ['pipeline_with_importer.yaml', pipelineWithImporter],
  ['local_execution/local_execution_pipeline_with_retry.yaml', pipelineWithRetry],
  ['essential/component_with_env_variable.yaml', componentWithEnvVariable],
  ['essential/pipeline_with_after.yaml', pipelineWithAfter],
  ['local_execution/local_execution_pipeline_with_k8s_only_methods.yaml', pipelineWithK8sOnlyMethods],
  ['pipeline_with_string_machine_fields_pipeline_input.yaml', pipelineWithStringMachineFieldsPipelineInput],
  ['pipeline_with_loops_and_conditions.yaml', pipelineWithLoopsAndConditions],
  ['pipeline_with_parallelfor_list_artifacts_GH-12033.yaml', pipelineWithParallelForListArtifacts],
  ['pipeline_with_dynamic_importer_metadata.yaml', pipelineWithDynamicImporterMetadata],
  ['pipeline_as_exit_task.yaml', pipelineAsExitTask],
  ['critical/pipeline_with_input_status_state.yaml', pipelineWithInputStatusState],
  ['cross_loop_after_topology.yaml', crossLoopAfterTopology],
  ['critical/parallel_for_after_dependency.yaml', parallelForAfterDependency],
  ['failing/pipeline_with_multiple_exit_handlers.yaml', pipelineWithMultipleExitHandlers],
  ['parallel_and_nested/pipeline_in_pipeline_complex.yaml', pipelineInPipelineComplex],
  ['pipeline_with_metadata_fields.yaml', pipelineWithMetadataFields],
  ['local:pipeline_with_task_using_ignore_upstream_failure.yaml', pipelineWithIgnoreUpstreamFailure],
  [
    'local:local_execution_pipeline_with_ignore_upstream_failure.yaml',
    pipelineWithIgnoreUpstreamFailureAfter,
  ],
];

function fixturePath(fixture: string): string {
  return fixture.startsWith('local:')
    ? path.join(LOCAL_FIXTURES, fixture.slice('local:'.length))
    : path.join(SHARED_FIXTURES, fixture);
}

function load(text: string, what: string): PipelineSpec {
  const { pipeline, issues } = loadPipelineText(text);
  assert.ok(!hasErrors(issues), `${what}: ${JSON.stringify(issues, null, 2)}`);
  assert.ok(pipeline !== undefined, what);
  return pipeline.spec;
}

const isPythonFunction = (executor: ExecutorSpec): boolean =>
  (executor.container?.command ?? []).some((part) => part.includes('kfp.dsl.executor_main'));

const isTypeScriptFunction = (executor: ExecutorSpec): boolean =>
  (executor.container?.args ?? []).includes('--function_to_execute');

/**
 * The two specs with the only differences allowed set aside: `sdkVersion` (which SDK wrote the spec),
 * and the image, command and args of function components, which embed Python source in KFP's spec and
 * TypeScript source in ours. Only executors that run a Python function in the fixture are normalised,
 * and ours must run a TypeScript function (or be a container component) in their place; every other
 * field, including the rest of those executors (env, resources), is compared as it is.
 */
function normalised(actual: PipelineSpec, expected: PipelineSpec): [PipelineSpec, PipelineSpec] {
  const normalise = (spec: PipelineSpec, labels: readonly string[]): PipelineSpec => {
    const copy = structuredClone(spec);
    delete copy.sdkVersion;
    for (const label of labels) {
      const container = copy.deploymentSpec?.executors?.[label]?.container;
      if (container === undefined) continue;
      container.image = '<function component>';
      delete container.command;
      delete container.args;
    }
    return copy;
  };
  const functionLabels = Object.entries(expected.deploymentSpec?.executors ?? {})
    .filter(([, executor]) => isPythonFunction(executor))
    .map(([label]) => label);
  for (const [label, executor] of Object.entries(actual.deploymentSpec?.executors ?? {})) {
    if (isTypeScriptFunction(executor)) {
      assert.ok(
        functionLabels.includes(label),
        `${label} is a function component here but not in the fixture`,
      );
    }
  }
  return [normalise(actual, functionLabels), normalise(expected, functionLabels)];
}

// The `# PIPELINE DEFINITION` comment, line by line. KFP prints dict defaults in protobuf's map order,
// which protobuf leaves unspecified, so lines showing one are compared up to the order of their characters.
function headerOf(text: string): string[] {
  return text
    .slice(0, text.search(/^[^#]/m))
    .split('\n')
    .map((line) => (line.includes('{') ? [...line].sort().join('') : line));
}

describe('TypeScript pipelines compile to the IR KFP compiled from the same pipelines', () => {
  for (const [fixture, pipeline] of CASES) {
    it(fixture, () => {
      const fixtureText = readFileSync(fixturePath(fixture), 'utf8');
      const yaml = compile(pipeline);
      const [actual, expected] = normalised(load(yaml, 'compiled YAML'), load(fixtureText, fixture));
      assert.deepStrictEqual(actual, expected);
      assert.deepStrictEqual(headerOf(yaml), headerOf(fixtureText));
      assert.deepStrictEqual(
        load(compile(pipeline, { format: 'json' }), 'compiled JSON'),
        load(yaml, 'compiled YAML'),
      );
    });
  }
});
