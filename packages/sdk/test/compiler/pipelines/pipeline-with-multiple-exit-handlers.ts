// failing/pipeline_with_multiple_exit_handlers.yaml: three exit handlers in a row, their exit tasks and
// guarded tasks all calls of one component.
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
  {
    name: 'pipeline-with-multiple-exit-handlers',
    inputs: { message: Parameter.String.default('Hello World!') },
  },
  ({ message }) => {
    ExitHandler(printOp({ message: 'First exit handler has worked!' }), () => {
      printOp({ message });
      failOp({ message: 'Task failed.' });
    });
    ExitHandler(printOp({ message: 'Second exit handler has worked!' }), () => {
      printOp({ message });
    });
    ExitHandler(printOp({ message: 'Third exit handler has worked!' }), () => {
      printOp({ message });
    });
  },
);
