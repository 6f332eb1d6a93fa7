// essential/pipeline_with_after.yaml: tasks ordered with .after() alone, no data passing between them.
import { containerComponent, Parameter, pipeline } from '../../../src/index.ts';

const printText = containerComponent({
  name: 'Print Text',
  image: 'alpine',
  inputs: { text: Parameter.String },
  command: ({ inputs }) => ['sh', '-c', 'set -e -x\necho "$0"\n', inputs.text],
});

export default pipeline({ name: 'pipeline-with-after' }, () => {
  const task1 = printText({ text: '1st task' });
  const task2 = printText({ text: '2nd task' }).after(task1);
  printText({ text: '3rd task' }).after(task1, task2);
});
