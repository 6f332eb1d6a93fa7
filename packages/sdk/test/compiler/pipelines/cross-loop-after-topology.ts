// cross_loop_after_topology.yaml: .after() across ParallelFor scopes in every direction KFP allows.
import { functionComponent, ParallelFor, Parameter, pipeline } from '../../../src/index.ts';

const printOp = functionComponent(
  { name: 'print-op', inputs: { message: Parameter.String } },
  async ({ message }) => {
    console.log(message);
  },
);

export default pipeline({ name: 'my-pipeline' }, () => {
  const one = ParallelFor([1, 2], () => printOp({ message: 'one' }));
  ParallelFor([1, 2], () => printOp({ message: 'two' }).after(one));
  ParallelFor([1, 2], () => {
    const three = printOp({ message: 'three' });
    ParallelFor([1, 2], () => printOp({ message: 'four' }).after(three));
  });
  const five = ParallelFor([1, 2], () => printOp({ message: 'five' }));
  printOp({ message: 'six' }).after(five);
  ParallelFor([1, 2], () => {
    const seven = ParallelFor([1, 2], () => printOp({ message: 'seven' }));
    printOp({ message: 'eight' }).after(seven);
  });
});
