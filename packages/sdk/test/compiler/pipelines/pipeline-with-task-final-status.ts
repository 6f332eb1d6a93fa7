// pipeline_with_task_final_status.yaml: a named ExitHandler whose exit task takes the final status of
// the tasks it guards.
import { ExitHandler, functionComponent, Parameter, pipeline, TaskFinalStatus } from '../../../src/index.ts';

const exitOp = functionComponent(
  { name: 'exit-op', inputs: { user_input: Parameter.String, status: TaskFinalStatus } },
  async ({ status }) => {
    console.log('Pipeline status: ', status.state);
  },
);

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
  { name: 'pipeline-with-task-final-status', inputs: { message: Parameter.String.default('Hello World!') } },
  ({ message }) => {
    const exitTask = exitOp({ user_input: message });
    ExitHandler(
      exitTask,
      () => {
        printOp({ message });
        failOp({ message: 'Task failed.' });
      },
      { name: 'my-pipeline' },
    );
  },
);
