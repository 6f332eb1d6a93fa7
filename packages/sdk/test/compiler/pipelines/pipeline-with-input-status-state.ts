// critical/pipeline_with_input_status_state.yaml: an exit task whose only input is the final status.
import { ExitHandler, functionComponent, pipeline, TaskFinalStatus } from '../../../src/index.ts';

const echoState = functionComponent(
  { name: 'echo-state', inputs: { status: TaskFinalStatus } },
  async ({ status }) => {
    if (status.state !== 'COMPLETE') throw new Error(`unexpected state ${String(status.state)}`);
  },
);

const someTask = functionComponent({ name: 'some-task' }, async () => {
  console.log('Executing some_task()...');
});

export default pipeline({ name: 'status-state-pipeline' }, () => {
  ExitHandler(echoState(), () => {
    someTask();
  });
});
