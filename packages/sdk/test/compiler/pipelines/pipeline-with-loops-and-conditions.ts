// pipeline_with_loops_and_conditions.yaml: loops over a task output, a pipeline input and literal dict
// items, keys of dict items (in conditions, as loop items of inner loops, as arguments), conditions on
// loop items, loops nested three deep, and an optional input left out.
import { Condition, functionComponent, ParallelFor, Parameter, pipeline } from '../../../src/index.ts';

const argsGeneratorOp = functionComponent(
  { name: 'args-generator-op', outputs: { Output: Parameter.List } },
  async () => ({
    Output: [
      { A_a: '1', B_b: ['2', '20'] },
      { A_a: '10', B_b: ['22', '222'] },
    ],
  }),
);

const printText = functionComponent(
  { name: 'print-text', inputs: { msg: Parameter.String, msg2: Parameter.String.optional() } },
  async ({ msg, msg2 }) => {
    console.log(`msg: ${msg}, msg2: ${msg2}`);
  },
);

const printStruct = functionComponent(
  { name: 'print-struct', inputs: { struct: Parameter.Struct } },
  async ({ struct }) => {
    console.log(struct);
  },
);

const flipCoinOp = functionComponent(
  { name: 'flip-coin-op', outputs: { Output: Parameter.String } },
  async () => ({
    Output: Math.random() < 0.5 ? 'heads' : 'tails',
  }),
);

export default pipeline(
  {
    name: 'pipeline-with-loops-and-conditions-multi-layers',
    inputs: {
      msg: Parameter.String.default('hello'),
      loop_parameter: Parameter.List.default([
        { A_a: 'heads', B_b: ['A', 'B'] },
        { A_a: 'tails', B_b: ['X', 'Y', 'Z'] },
      ]),
    },
  },
  ({ msg, loop_parameter }) => {
    const flip = flipCoinOp();
    const outterArgsGenerator = argsGeneratorOp();

    Condition(flip.output.ne('no-such-result'), () => {
      const innerArgGenerator = argsGeneratorOp();

      ParallelFor(outterArgsGenerator.output, (item) => {
        printText({ msg });

        Condition(item.field('A_a').eq('heads'), () => {
          printText({ msg: item.field('B_b') });
        });

        Condition(flip.output.eq('heads'), () => {
          printText({ msg: item.field('B_b') });
        });

        Condition(item.field('A_a').eq('tails'), () => {
          ParallelFor([{ a: '-1' }, { a: '-2' }], (innerItem) => {
            printStruct({ struct: innerItem });
          });
        });

        ParallelFor(item.field('B_b'), (itemB) => {
          printText({ msg: itemB });
        });

        ParallelFor(loop_parameter, (pipelineItem) => {
          printText({ msg: pipelineItem });
          ParallelFor(innerArgGenerator.output, (innerItem) => {
            printText({ msg: pipelineItem, msg2: innerItem.field('A_a') });
          });
        });

        ParallelFor(['1', '2'], (staticItem) => {
          printText({ msg: staticItem });
          Condition(staticItem.eq('1'), () => {
            printText({ msg: '1' });
          });
        });
      });
    });

    // A loop item used by a task two levels down.
    ParallelFor(loop_parameter, (item) => {
      Condition(item.field('A_a').eq('heads'), () => {
        ParallelFor(item.field('B_b'), (itemB) => {
          printText({ msg: itemB });
        });
      });
    });
  },
);
