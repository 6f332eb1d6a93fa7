// failing/pipeline_with_exit_handler.yaml: an ExitHandler whose exit task reuses a component of the tasks
// it guards.
import { ExitHandler, functionComponent, Parameter, pipeline } from '../../../src/index.ts';

const printOp = functionComponent(
  { name: 'print-op', inputs: { message: Parameter.String } },
  async ({ message }) => {
    console.log(message);
  },
);

const failOp = functionComponent(
  { name: 'fail-op', inputs: { message: Parameter.String } },
  async ({ message }) => {
    console.log(message);
    process.exit(1);
  },
);

export default pipeline(
  { name: 'pipeline-with-exit-handler', inputs: { message: Parameter.String.default('Hello World!') } },
  ({ message }) => {
    const exitTask = printOp({ message: 'Exit handler has worked!' });
    ExitHandler(exitTask, () => {
      printOp({ message });
      failOp({ message: 'Task failed.' });
    });
  },
);
