// parallel_and_nested/pipeline_in_pipeline.yaml: a pipeline used as a task, whose components clash with
// the outer pipeline's and get renamed.
import { containerComponent, functionComponent, Parameter, pipeline } from '../../../src/index.ts';

const printOp1 = functionComponent(
  { name: 'print-op1', inputs: { msg: Parameter.String }, outputs: { Output: Parameter.String } },
  async ({ msg }) => {
    console.log(msg);
    return { Output: msg };
  },
);

const printOp2 = containerComponent({
  name: 'print-op2',
  image: 'alpine',
  inputs: { msg: Parameter.String },
  command: ({ inputs }) => ['echo', inputs.msg],
});

const innerPipeline = pipeline({ name: 'inner-pipeline', inputs: { msg: Parameter.String } }, ({ msg }) => {
  const task = printOp1({ msg });
  printOp2({ msg: task.output });
});

export default pipeline({ name: 'pipeline-in-pipeline' }, () => {
  printOp1({ msg: 'Hello' });
  innerPipeline({ msg: 'world' });
});
