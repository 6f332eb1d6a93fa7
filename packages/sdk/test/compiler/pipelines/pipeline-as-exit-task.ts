// pipeline_as_exit_task.yaml: a pipeline with a TaskFinalStatus input, holding a condition on it, used as
// the exit task of an ExitHandler.
import {
  Condition,
  ExitHandler,
  functionComponent,
  Parameter,
  pipeline,
  TaskFinalStatus,
} from '../../../src/index.ts';

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

const getRunState = functionComponent(
  { name: 'get-run-state', inputs: { status: Parameter.Struct }, outputs: { Output: Parameter.String } },
  async ({ status }) => ({ Output: String(status.state) }),
);

const exitOp = pipeline(
  {
    name: 'conditional-notification',
    description: 'Checks pipeline run status.',
    inputs: { status: TaskFinalStatus },
  },
  ({ status }) => {
    Condition(getRunState({ status }).output.eq('FAILED'), () => {
      printOp({ message: 'notify task failure.' });
    });
  },
);

export default pipeline(
  {
    name: 'pipeline-with-task-final-status-conditional',
    inputs: { message: Parameter.String.default('Hello World!') },
  },
  ({ message }) => {
    const exitTask = exitOp();
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
