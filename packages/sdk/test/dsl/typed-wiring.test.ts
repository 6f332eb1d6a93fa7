// Wiring mistakes are compile-time errors: every `@ts-expect-error` below must meet a type error, or tsc
// (which checks the tests) fails on the unused directive. The same mistakes also fail at run time, for
// JavaScript callers, which the assertions check.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  Artifact,
  Collected,
  containerComponent,
  Dataset,
  functionComponent,
  If,
  Input,
  Model,
  OneOf,
  Output,
  ParallelFor,
  Parameter,
  pipeline,
  TaskFinalStatus,
} from '../../src/index.ts';

const produce = containerComponent({
  name: 'produce',
  image: 'alpine',
  outputs: {
    text: Parameter.String,
    count: Parameter.Integer,
    ratio: Parameter.Float,
    numbers: Parameter.List.of(Parameter.Integer),
    model: Output(Model),
    data: Output(Dataset),
    anything: Output(Artifact),
  },
  command: ['produce'],
});

const consume = containerComponent({
  name: 'consume',
  image: 'alpine',
  inputs: {
    count: Parameter.Integer,
    ratio: Parameter.Float.default(0.5),
    text: Parameter.String.optional(),
    data: Input(Dataset),
    anything: Input(Artifact).optional(),
    numbers: Parameter.List.optional(),
  },
  command: ['consume'],
});

const report = functionComponent(
  { name: 'report', inputs: { status: TaskFinalStatus, note: Parameter.String } },
  async ({ status, note }) => {
    console.log(status.state, note);
  },
);

let pipelineCount = 0;
/** Builds a pipeline around `body`, under a fresh name. */
function build(body: () => void): unknown {
  pipelineCount += 1;
  return pipeline({ name: `typed-${pipelineCount}` }, body);
}

describe('typed wiring', () => {
  it('accepts what KFP accepts', () => {
    build(() => {
      const p = produce();
      // Any artifact feeds a system.Artifact input, and a system.Artifact output feeds any artifact input.
      consume({ count: p.outputs.count, data: p.outputs.anything, anything: p.outputs.model });
      // A number literal feeds a float input; a typed list feeds an untyped one.
      consume({ count: 1, ratio: 2, data: p.outputs.data, numbers: p.outputs.numbers });
      ParallelFor(p.outputs.numbers, (n) => consume({ count: n, data: p.outputs.data }));
      const inLoop = ParallelFor([1, 2], (n) => {
        consume({ count: n, ratio: n, data: p.outputs.data });
        return produce();
      });
      consume({ count: 1, data: p.outputs.data, numbers: Collected(inLoop.outputs.count) });
    });
  });

  it('rejects a string output into an integer input', () => {
    assert.throws(
      () =>
        build(() => {
          const p = produce();
          // @ts-expect-error a string is not an integer
          consume({ count: p.outputs.text, data: p.outputs.data });
        }),
      /Argument type STRING is incompatible with the input type NUMBER_INTEGER/,
    );
  });

  it('rejects an integer output into a float input', () => {
    assert.throws(
      () =>
        build(() => {
          const p = produce();
          // @ts-expect-error KFP does not widen integer outputs to floats
          consume({ count: 1, ratio: p.outputs.count, data: p.outputs.data });
        }),
      /NUMBER_INTEGER is incompatible with the input type NUMBER_DOUBLE/,
    );
  });

  it('rejects an artifact into a parameter input, and a parameter into an artifact input', () => {
    assert.throws(
      () =>
        build(() => {
          const p = produce();
          // @ts-expect-error an artifact is not a parameter
          consume({ count: p.outputs.data, data: p.outputs.data });
        }),
      /an artifact cannot feed a parameter/,
    );
    assert.throws(
      () =>
        build(() => {
          const p = produce();
          // @ts-expect-error a parameter is not an artifact
          consume({ count: 1, data: p.outputs.text });
        }),
      /a parameter cannot feed an artifact/,
    );
  });

  it('rejects a Model into a Dataset input', () => {
    assert.throws(
      () =>
        build(() => {
          const p = produce();
          // @ts-expect-error a Model is not a Dataset
          consume({ count: 1, data: p.outputs.model });
        }),
      /Argument type system.Model is incompatible with the input type system.Dataset/,
    );
  });

  it('rejects a constant of the wrong type, and a constant artifact', () => {
    assert.throws(
      () =>
        build(() => {
          const p = produce();
          // @ts-expect-error a string constant is not an integer
          consume({ count: 'three', data: p.outputs.data });
        }),
      /expected a constant of type NUMBER_INTEGER/,
    );
    assert.throws(
      () =>
        build(() => {
          // @ts-expect-error an artifact input takes an artifact, not a URI
          consume({ count: 1, data: 'gs://bucket/data.csv' });
        }),
      /an artifact input takes an artifact/,
    );
  });

  it('rejects a missing required input and an unknown input', () => {
    assert.throws(
      () =>
        build(() => {
          // @ts-expect-error `data` is required
          consume({ count: 1 });
        }),
      /consume\(\) missing 1 required input: data/,
    );
    assert.throws(
      () =>
        build(() => {
          const p = produce();
          // @ts-expect-error there is no input `colour`
          consume({ count: 1, data: p.outputs.data, colour: 'red' });
        }),
      /consume\(\) got an unexpected input "colour"; its inputs are count, ratio, text, data, anything, numbers/,
    );
  });

  it('keeps TaskFinalStatus inputs out of the arguments', () => {
    assert.throws(
      () =>
        build(() => {
          // @ts-expect-error KFP fills in the final status
          report({ note: 'x', status: {} });
        }),
      /got an unexpected input "status"; its inputs are note/,
    );
  });

  it('types lists, loop items and Collected values', () => {
    assert.throws(
      () =>
        build(() => {
          const p = produce();
          // @ts-expect-error the items of a list of integers are integers
          ParallelFor(p.outputs.numbers, (n) => consume({ count: 1, text: n, data: p.outputs.data }));
        }),
      /Argument type NUMBER_INTEGER is incompatible with the input type STRING/,
    );
    assert.throws(
      () =>
        build(() => {
          const p = produce();
          const inLoop = ParallelFor([1, 2], () => produce());
          // @ts-expect-error a collected output is a list
          consume({ count: Collected(inLoop.outputs.count), data: p.outputs.data });
        }),
      /Argument type LIST is incompatible with the input type NUMBER_INTEGER/,
    );
  });

  it('only compares primitive values in conditions, and only outputs of one type in OneOf', () => {
    assert.throws(
      () =>
        build(() => {
          const p = produce();
          // @ts-expect-error lists cannot be compared
          If(p.outputs.numbers.eq(1), () => consume({ count: 1, data: p.outputs.data }));
        }),
      /Conditional requires primitive parameter values for comparison/,
    );
    assert.throws(
      () =>
        build(() => {
          const p = produce();
          const [a, b] = If(p.outputs.text.eq('a'), () => produce()).Else(() => produce());
          // @ts-expect-error a string and an integer cannot be one output
          consume({ count: 1, text: OneOf(a.outputs.text, b.outputs.count), data: p.outputs.data });
        }),
      /Task outputs passed to OneOf must be the same type/,
    );
  });

  it('types what a pipeline returns', () => {
    const outputs = { total: Parameter.Integer, model: Output(Model) };
    assert.throws(
      () =>
        // @ts-expect-error `model` is missing
        pipeline({ name: 'missing-output', outputs }, () => {
          const p = produce();
          return { total: p.outputs.count };
        }),
      /Missing pipeline output: model/,
    );
    assert.throws(
      () =>
        // @ts-expect-error a Dataset is not a Model
        pipeline({ name: 'wrong-output', outputs }, () => {
          const p = produce();
          return { total: p.outputs.count, model: p.outputs.data };
        }),
      /Incompatible return type provided for output 'model'/,
    );
  });

  it('types the values a function component receives and returns', () => {
    const typed = functionComponent(
      {
        name: 'typed',
        inputs: { epochs: Parameter.Integer, label: Parameter.String.optional(), data: Input(Dataset) },
        outputs: { accuracy: Parameter.Float, model: Output(Model) },
      },
      async ({ epochs, label, data }, { model }) => {
        const count: number = epochs;
        // @ts-expect-error an optional input without a default may be missing
        const text: string = label;
        const uri: string = data.uri;
        model.metadata.epochs = count;
        return { accuracy: text.length + uri.length };
      },
    );
    assert.equal(typeof typed, 'function');
    functionComponent(
      { name: 'wrong-result', outputs: { accuracy: Parameter.Float } },
      // @ts-expect-error the accuracy is a number
      async () => ({ accuracy: 'high' }),
    );
  });
});
