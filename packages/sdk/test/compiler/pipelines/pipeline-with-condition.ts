// essential/pipeline_with_condition.yaml: a Condition on a task output, caching turned off, a component
// reused inside and outside the condition, and a pipeline input passed into the condition.
import { Condition, functionComponent, Parameter, pipeline } from '../../../src/index.ts';

const flipCoinOp = functionComponent(
  { name: 'flip-coin-op', outputs: { Output: Parameter.String } },
  async () => ({ Output: Math.random() < 0.5 ? 'heads' : 'tails' }),
);

const printOp = functionComponent(
  { name: 'print-op', inputs: { msg: Parameter.String } },
  async ({ msg }) => {
    console.log(msg);
  },
);

export default pipeline(
  { name: 'single-condition-pipeline', inputs: { text: Parameter.String.default('condition test') } },
  ({ text }) => {
    const flip1 = flipCoinOp().setCachingOptions(false);
    printOp({ msg: flip1.output });
    Condition(flip1.output.eq('heads'), () => {
      const flip2 = flipCoinOp().setCachingOptions(false);
      printOp({ msg: flip2.output });
      printOp({ msg: text });
    });
  },
);
