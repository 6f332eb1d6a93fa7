// critical/parallel_for_after_dependency.yaml: tasks after a task inside a loop depend on the whole loop.
import { functionComponent, ParallelFor, Parameter, pipeline } from '../../../src/index.ts';

const printOp = functionComponent(
  { name: 'print-op', inputs: { message: Parameter.String }, outputs: { Output: Parameter.String } },
  async ({ message }) => {
    console.log(message);
    return { Output: message };
  },
);

export default pipeline({ name: 'loop-with-after-dependency-set' }, () => {
  const one = ParallelFor([1, 2, 3], () => printOp({ message: 'foo' }));
  printOp({ message: 'bar' }).after(one);
  printOp({ message: 'baz' }).after(one);
});
