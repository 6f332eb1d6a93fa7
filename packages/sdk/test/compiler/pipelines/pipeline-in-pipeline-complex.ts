// parallel_and_nested/pipeline_in_pipeline_complex.yaml: a pipeline holding conditions, used as a task
// inside a literal-items loop of the outer pipeline with the loop item as argument.
import {
  Condition,
  containerComponent,
  functionComponent,
  ParallelFor,
  Parameter,
  pipeline,
} from '../../../src/index.ts';

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

const printOp3 = containerComponent({
  name: 'Print Op',
  image: 'alpine',
  inputs: { msg: Parameter.String },
  command: ({ inputs }) => ['echo', inputs.msg],
});

const graphComponent = pipeline({ name: 'inner-pipeline', inputs: { msg: Parameter.String } }, ({ msg }) => {
  const task = printOp1({ msg });
  Condition(task.output.eq('Hello'), () => {
    printOp2({ msg: 'world' });
  });
  Condition(task.output.ne('Hello'), () => {
    printOp3({ msg: 'Bye!' });
  });
});

export default pipeline(
  { name: 'pipeline-in-pipeline-complex', inputs: { msg: Parameter.String.default('Hello') } },
  ({ msg }) => {
    printOp1({ msg });
    ParallelFor(['Hello', 'world!'], (item) => {
      graphComponent({ msg: item });
    });
  },
);
