import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  containerComponent,
  ExitHandler,
  If,
  ParallelFor,
  Parameter,
  pipeline,
  TaskFinalStatus,
} from '../../src/index.ts';
import { compiledSpec } from './support/compiled-spec.ts';

const echo = containerComponent({
  name: 'echo',
  image: 'alpine',
  inputs: { text: Parameter.String.default('hi') },
  outputs: { Output: Parameter.String },
  command: ({ inputs, outputs }) => ['sh', '-c', `echo ${inputs.text} | tee ${outputs.Output}`],
});

describe('task options in the IR', () => {
  it('writes caching options, with a custom cache key', () => {
    const spec = compiledSpec(
      pipeline({ name: 'caching' }, () => {
        echo();
        echo().setCachingOptions(false);
        echo().setCachingOptions(true, 'shared-key');
      }),
    );
    const tasks = spec.root.dag?.tasks ?? {};
    assert.deepStrictEqual(tasks.echo?.cachingOptions, { enableCache: true });
    assert.deepStrictEqual(tasks['echo-2']?.cachingOptions, {});
    assert.deepStrictEqual(tasks['echo-3']?.cachingOptions, { enableCache: true, cacheKey: 'shared-key' });
  });

  it("writes retry policies with KFP's defaults, durations in seconds", () => {
    const spec = compiledSpec(
      pipeline({ name: 'retries' }, () => {
        echo().setRetry({ maxRetryCount: 2 });
        echo().setRetry({
          maxRetryCount: 5,
          backoffDuration: '5m',
          backoffFactor: 1.5,
          backoffMaxDuration: '1 hour',
        });
      }),
    );
    const tasks = spec.root.dag?.tasks ?? {};
    assert.deepStrictEqual(tasks.echo?.retryPolicy, {
      maxRetryCount: 2,
      backoffDuration: '0s',
      backoffFactor: 2,
      backoffMaxDuration: '3600s',
    });
    assert.deepStrictEqual(tasks['echo-2']?.retryPolicy, {
      maxRetryCount: 5,
      backoffDuration: '300s',
      backoffFactor: 1.5,
      backoffMaxDuration: '3600s',
    });
  });

  it('writes environment variables and resources into the task executor only', () => {
    const spec = compiledSpec(
      pipeline({ name: 'resources' }, () => {
        echo()
          .setEnvVariable('A', '1')
          .setEnvVariable('B', 'two')
          .setCpuRequest('500m')
          .setCpuLimit('2')
          .setMemoryRequest('1Gi')
          .setMemoryLimit('2G')
          .setAcceleratorType('nvidia.com/gpu')
          .setAcceleratorLimit(2);
        echo();
      }),
    );
    const executors = spec.deploymentSpec?.executors ?? {};
    assert.deepStrictEqual(executors['exec-echo']?.container?.env, [
      { name: 'A', value: '1' },
      { name: 'B', value: 'two' },
    ]);
    assert.deepStrictEqual(executors['exec-echo']?.container?.resources, {
      cpuRequest: 0.5,
      resourceCpuRequest: '500m',
      cpuLimit: 2,
      resourceCpuLimit: '2',
      memoryRequest: 1.073741824,
      resourceMemoryRequest: '1Gi',
      memoryLimit: 2,
      resourceMemoryLimit: '2G',
      accelerator: { type: 'nvidia.com/gpu', resourceType: 'nvidia.com/gpu', count: 2, resourceCount: '2' },
    });
    assert.equal(executors['exec-echo-2']?.container?.env, undefined);
    assert.equal(executors['exec-echo-2']?.container?.resources, undefined);
  });

  it('takes an image from a pipeline input as an injected input', () => {
    const spec = compiledSpec(
      pipeline({ name: 'image', inputs: { image: Parameter.String } }, ({ image }) => {
        echo().setContainerImage(image);
      }),
    );
    assert.equal(
      spec.deploymentSpec?.executors?.['exec-echo']?.container?.image,
      "{{$.inputs.parameters['pipelinechannel--image']}}",
    );
    assert.deepStrictEqual(spec.root.dag?.tasks?.echo?.inputs?.parameters, {
      base_image: { runtimeValue: { constant: "{{$.inputs.parameters['pipelinechannel--image']}}" } },
      'pipelinechannel--image': { componentInputParameter: 'image' },
    });
  });

  it('shows display names for tasks, loops, conditions, exit handlers and the pipeline', () => {
    const spec = compiledSpec(
      pipeline(
        {
          name: 'names',
          displayName: 'Names everywhere',
          pipelineRoot: 's3://bucket/root',
          description: 'One.\nTwo.',
        },
        () => {
          const first = echo().setDisplayName('First echo');
          ExitHandler(
            echo(),
            () => {
              ParallelFor([1], () => echo(), { name: 'each number' });
              If(first.output.eq('hi'), () => echo(), { name: 'when hi' });
            },
            { name: 'guarded' },
          );
        },
      ),
    );
    const tasks = spec.root.dag?.tasks ?? {};
    assert.equal(tasks.echo?.taskInfo?.name, 'First echo');
    assert.equal(tasks['exit-handler-1']?.taskInfo?.name, 'guarded');
    const inner = spec.components?.['comp-exit-handler-1']?.dag?.tasks ?? {};
    assert.equal(inner['for-loop-3']?.taskInfo?.name, 'each number');
    assert.equal(inner['condition-4']?.taskInfo?.name, 'when hi');
    assert.deepStrictEqual(spec.pipelineInfo, {
      name: 'names',
      displayName: 'Names everywhere',
      description: 'One.\nTwo.',
    });
    assert.equal(spec.defaultPipelineRoot, 's3://bucket/root');
  });

  it('runs a task that ignores upstream failures once its upstream task completed, with its status', () => {
    const report = containerComponent({
      name: 'report',
      image: 'alpine',
      inputs: { status: TaskFinalStatus },
      command: ({ inputs }) => ['echo', inputs.status],
    });
    const spec = compiledSpec(
      pipeline({ name: 'ignoring' }, () => {
        const work = echo();
        report().after(work).ignoreUpstreamFailure();
      }),
    );
    assert.deepStrictEqual(spec.root.dag?.tasks?.report, {
      cachingOptions: { enableCache: true },
      componentRef: { name: 'comp-report' },
      dependentTasks: ['echo'],
      inputs: { parameters: { status: { taskFinalStatus: { producerTask: 'echo' } } } },
      taskInfo: { name: 'report' },
      triggerPolicy: { strategy: 'ALL_UPSTREAM_TASKS_COMPLETED' },
    });
    assert.throws(
      () =>
        pipeline({ name: 'ignoring-two' }, () => {
          report().after(echo(), echo()).ignoreUpstreamFailure();
        }),
      /must have exactly one dependent upstream task. Got 2 dependent tasks: echo, echo-2/,
    );
  });

  it('places tasks after an If/Elif chain without Else in its branches group, as KFP does', () => {
    const spec = compiledSpec(
      pipeline({ name: 'open-chain' }, () => {
        const coin = echo();
        If(coin.output.eq('a'), () => echo()).Elif(coin.output.eq('b'), () => echo());
        echo({ text: 'after the chain' });
      }),
    );
    assert.deepStrictEqual(Object.keys(spec.root.dag?.tasks ?? {}).sort(), ['condition-branches-1', 'echo']);
    assert.deepStrictEqual(
      Object.keys(spec.components?.['comp-condition-branches-1']?.dag?.tasks ?? {}).sort(),
      ['condition-2', 'condition-3', 'echo-4'],
    );
  });
});
