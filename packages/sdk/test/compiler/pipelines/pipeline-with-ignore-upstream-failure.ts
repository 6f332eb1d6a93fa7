// pipeline_with_task_using_ignore_upstream_failure.yaml: a clean-up task that consumes an upstream
// task's output into an input with a default, and runs even when the upstream task fails.
import { functionComponent, Parameter, pipeline } from '../../../src/index.ts';

const failOp = functionComponent(
  { name: 'fail-op', inputs: { message: Parameter.String }, outputs: { Output: Parameter.String } },
  async ({ message }) => {
    console.log(message);
    process.exit(1);
    return { Output: message };
  },
);

const printOp = functionComponent(
  { name: 'print-op', inputs: { message: Parameter.String.default('default') } },
  async ({ message }) => {
    console.log(message);
  },
);

export default pipeline(
  { name: 'my-pipeline', inputs: { sample_input: Parameter.String.default('message') } },
  ({ sample_input }) => {
    const task = failOp({ message: sample_input });
    printOp({ message: task.output }).ignoreUpstreamFailure();
  },
);
