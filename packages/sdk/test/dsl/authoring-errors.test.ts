import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  Collected,
  containerComponent,
  ExitHandler,
  If,
  OneOf,
  ParallelFor,
  Parameter,
  pipeline,
  TaskFinalStatus,
} from '../../src/index.ts';

const make = containerComponent({
  name: 'make',
  image: 'alpine',
  outputs: { Output: Parameter.String },
  command: ({ outputs }) => ['sh', '-c', `echo made > ${outputs.Output}`],
});

const use = containerComponent({
  name: 'use',
  image: 'alpine',
  inputs: { text: Parameter.String.default('none') },
  command: ({ inputs }) => ['echo', inputs.text],
});

const useList = containerComponent({
  name: 'use-list',
  image: 'alpine',
  inputs: { texts: Parameter.List },
  command: ({ inputs }) => ['echo', inputs.texts],
});

const status = containerComponent({
  name: 'status',
  image: 'alpine',
  inputs: { status: TaskFinalStatus },
  command: ({ inputs }) => ['echo', inputs.status],
});

let count = 0;
function build(body: () => unknown): unknown {
  count += 1;
  return pipeline({ name: `errors-${count}` }, () => {
    body();
  });
}

describe('authoring errors', () => {
  it('rejects a loop task output consumed outside its loop without Collected', () => {
    assert.throws(
      () =>
        build(() => {
          const made = ParallelFor([1, 2], () => make());
          use({ text: made.output });
        }),
      /Task use uses an output of task make from outside the ParallelFor for-loop-2 that runs it: .*Collected/,
    );
  });

  it('rejects a condition or exit-handler task output consumed outside', () => {
    assert.throws(
      () =>
        build(() => {
          const [made] = If(make().output.eq('x'), () => make()).results;
          use({ text: made.output });
        }),
      /cannot depend on an upstream task within a If\/Elif\/Else context .* upstream task make-2 within an uncommon If\/Elif\/Else context \(condition-1\)/,
    );
    assert.throws(
      () =>
        build(() => {
          const { result } = ExitHandler(use(), () => make());
          use({ text: result.output });
        }),
      /within an uncommon ExitHandler context \(exit-handler-1\)/,
    );
  });

  it('rejects .after() into a condition, but allows it into a loop', () => {
    assert.throws(
      () =>
        build(() => {
          const [made] = If(make().output.eq('x'), () => make()).results;
          use().after(made);
        }),
      /within an uncommon If\/Elif\/Else context/,
    );
    build(() => {
      const made = ParallelFor([1, 2], () => make());
      use().after(made);
    });
  });

  it('rejects a loop item used outside its loop', () => {
    assert.throws(
      () =>
        build(() => {
          const item = ParallelFor(['a', 'b'], (item) => item);
          use({ text: item });
        }),
      /task use uses the loop item loop-item-param-1 outside the ParallelFor it belongs to/,
    );
  });

  it('rejects Collected of a task that is not in a loop, or in a loop inside a condition', () => {
    assert.throws(
      () =>
        build(() => {
          useList({ texts: Collected(make().output) });
        }),
      /Collected can only be used to fan-in outputs produced by a task within a ParallelFor context/,
    );
    assert.throws(
      () =>
        build(() => {
          const [made] = If(make().output.eq('x'), () => ParallelFor([1], () => make())).results;
          useList({ texts: Collected(made.output) });
        }),
      /the ParallelFor cannot be nested within a If\/Elif\/Else context unless the consumer task is too/,
    );
  });

  it('rejects Elif and Else that do not follow their If', () => {
    assert.throws(
      () =>
        build(() => {
          const chain = If(make().output.eq('x'), () => use());
          If(make().output.eq('y'), () => use());
          chain.Else(() => use());
        }),
      /Else can only be used right after its If or Elif/,
    );
  });

  it('rejects OneOf without an Else, or of tasks outside branches', () => {
    assert.throws(
      () =>
        build(() => {
          const coin = make();
          const [a, b] = If(coin.output.eq('x'), () => make()).Elif(coin.output.eq('y'), () =>
            make(),
          ).results;
          use({ text: OneOf(a.output, b.output) });
        }),
      /OneOf must include an output from a task in an Else group/,
    );
    assert.throws(
      () =>
        build(() => {
          use({ text: OneOf(make().output) });
        }),
      /OneOf takes outputs of tasks placed directly in the branches of an If\/Elif\/Else chain/,
    );
  });

  it('rejects exit handlers below the top level, and exit tasks that depend on tasks', () => {
    assert.throws(
      () =>
        build(() => {
          ParallelFor([1], () => ExitHandler(use(), () => use()));
        }),
      /ExitHandler can only be used within the outermost scope of a pipeline body, not within for-loop-2/,
    );
    assert.throws(
      () =>
        build(() => {
          ExitHandler(use({ text: make().output }), () => use());
        }),
      /exit task use cannot depend on any other tasks/,
    );
    assert.throws(
      () =>
        build(() => {
          const exitTask = make();
          use({ text: exitTask.output });
          ExitHandler(exitTask, () => use());
        }),
      /task use depends on make, which cannot become an exit task/,
    );
    assert.throws(
      () =>
        build(() => {
          const exitTask = make();
          ExitHandler(exitTask, () => use());
          use().after(exitTask);
        }),
      /task use-2 cannot depend on make, the exit task of an ExitHandler/,
    );
  });

  it('rejects a final-status input outside an exit task', () => {
    assert.throws(
      () =>
        build(() => {
          status();
        }),
      /TaskFinalStatus can only be used in an exit task \(or a task that ignores upstream failures\). Input status of task status/,
    );
  });

  it('rejects ignoreUpstreamFailure when an upstream output feeds a required input', () => {
    assert.throws(
      () =>
        build(() => {
          useList({ texts: Collected(ParallelFor([1], () => make()).output) }).ignoreUpstreamFailure();
        }),
      /Input 'texts' of task 'use-list' is an output of upstream task 'make', but 'texts' has no default value/,
    );
  });

  it('rejects components, control flow and importers outside a pipeline body', () => {
    assert.throws(() => use(), /component use can only be used inside a pipeline body/);
    assert.throws(
      () => ParallelFor([1], () => undefined),
      /ParallelFor can only be used inside a pipeline body/,
    );
  });

  it('rejects pipelines defined inside a pipeline body, asynchronous bodies and empty bodies', () => {
    assert.throws(
      () =>
        build(() => {
          pipeline({ name: 'inner' }, () => {
            use();
          });
        }),
      /pipeline 'inner' is defined inside the body of pipeline 'errors-\d+'; nested pipelines are not allowed/,
    );
    assert.throws(
      // @ts-expect-error a pipeline body returns its outputs, not a promise
      () => pipeline({ name: 'async-body' }, async () => use()),
      /the body of pipeline async-body must be synchronous/,
    );
    assert.throws(() => pipeline({ name: 'empty' }, () => undefined), /pipeline empty has no tasks/);
  });

  it('rejects invalid and duplicate pipeline names', () => {
    assert.throws(
      () =>
        pipeline({ name: '-' }, () => {
          use();
        }),
      /a component needs a name with at least one letter or digit/,
    );
    const first = pipeline({ name: 'twin' }, () => {
      use();
    });
    const second = pipeline({ name: 'twin' }, () => {
      make();
    });
    assert.throws(
      () =>
        pipeline({ name: 'parent' }, () => {
          first();
          second();
        }),
      /pipeline parent uses two different pipelines named 'twin'/,
    );
    assert.throws(
      () =>
        pipeline({ name: 'twin' }, () => {
          first();
        }),
      /pipeline twin uses two different pipelines named 'twin' \(its own name\)/,
    );
    // The same pipeline used twice is fine.
    pipeline({ name: 'parent-of-one' }, () => {
      first();
      first();
    });
  });

  it('rejects values of another pipeline', () => {
    let leaked: unknown;
    build(() => {
      leaked = make().output;
    });
    assert.throws(
      () =>
        build(() => {
          use({ text: leaked as string });
        }),
      /uses make-Output, a value of pipeline 'errors-\d+', in pipeline 'errors-\d+'/,
    );
    assert.throws(
      () =>
        build(() => {
          use({ text: `embedded ${String(leaked)}` });
        }),
      /embeds a value of another pipeline/,
    );
  });

  it('rejects bad loop, resource and retry settings', () => {
    assert.throws(
      () => build(() => ParallelFor([1], () => use(), { parallelism: -1 })),
      /parallelism must be an integer >= 0/,
    );
    assert.throws(
      () => build(() => ParallelFor([], () => use())),
      /Got an empty item list for loop argument/,
    );
    assert.throws(() => build(() => use().setCpuLimit('two')), /setCpuLimit: invalid value "two"/);
    assert.throws(
      () => build(() => use().setMemoryRequest('1.5Gi')),
      /setMemoryRequest: invalid value "1.5Gi"/,
    );
    assert.throws(() => build(() => use().setAcceleratorLimit(-1)), /limit must be a non-negative integer/);
    assert.throws(
      () => build(() => use().setRetry({ maxRetryCount: 1, backoffDuration: '1.5s' })),
      /Invalid duration string/,
    );
  });
});
