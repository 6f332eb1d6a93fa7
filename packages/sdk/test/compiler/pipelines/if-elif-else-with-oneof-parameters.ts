// if_elif_else_with_oneof_parameters.yaml: If/Elif/Else whose branches feed a OneOf returned as the
// output of a pipeline that another pipeline uses as a task.
import { functionComponent, If, OneOf, Parameter, pipeline } from '../../../src/index.ts';

const flipThreeSidedDie = functionComponent(
  { name: 'flip-three-sided-die', outputs: { Output: Parameter.String } },
  async () => ({ Output: ['heads', 'tails', 'draw'][Math.floor(Math.random() * 3)] ?? 'draw' }),
);

const printAndReturn = functionComponent(
  { name: 'print-and-return', inputs: { text: Parameter.String }, outputs: { Output: Parameter.String } },
  async ({ text }) => {
    console.log(text);
    return { Output: text };
  },
);

const specialPrintAndReturn = functionComponent(
  {
    name: 'special-print-and-return',
    inputs: { text: Parameter.String },
    outputs: { output_key: Parameter.String },
  },
  async ({ text }) => {
    console.log('Got the special state:', text);
    return { output_key: text };
  },
);

const rollDiePipeline = pipeline({ name: 'roll-die-pipeline', outputs: { Output: Parameter.String } }, () => {
  const flipCoinTask = flipThreeSidedDie();
  const [t1, t2, t3] = If(flipCoinTask.output.eq('heads'), () => printAndReturn({ text: 'Got heads!' }))
    .Elif(flipCoinTask.output.eq('tails'), () => printAndReturn({ text: 'Got tails!' }))
    .Else(() => specialPrintAndReturn({ text: 'Draw!' }));
  return { Output: OneOf(t1.output, t2.output, t3.outputs.output_key) };
});

export default pipeline({ name: 'outer-pipeline', outputs: { Output: Parameter.String } }, () => {
  const flipCoinTask = rollDiePipeline();
  return { Output: printAndReturn({ text: flipCoinTask.output }).output };
});
