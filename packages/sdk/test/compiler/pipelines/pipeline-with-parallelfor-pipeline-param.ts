// pipeline_with_parallelfor_pipeline_param.yaml: ParallelFor over a list input with parallelism, a
// pipeline input and an outer task output passed into loops, and a loop nested in a literal-items loop.
import { functionComponent, ParallelFor, Parameter, pipeline } from '../../../src/index.ts';

const printWithPrefix = functionComponent(
  {
    name: 'print-with-prefix',
    inputs: { prefix: Parameter.String, item: Parameter.String },
    outputs: { Output: Parameter.String },
  },
  async ({ prefix, item }) => {
    const result = `${prefix}: ${item}`;
    console.log(result);
    return { Output: result };
  },
);

const makePrefix = functionComponent(
  { name: 'make-prefix', outputs: { Output: Parameter.String } },
  async () => ({
    Output: 'dynamic-prefix',
  }),
);

export default pipeline(
  {
    name: 'pipeline-parallelfor-pipeline-param',
    description: 'Pipeline parameter used alongside loop item inside ParallelFor.',
    inputs: { prefix: Parameter.String, loop_parameter: Parameter.List.of(Parameter.String) },
  },
  ({ prefix, loop_parameter }) => {
    ParallelFor(loop_parameter, (item) => printWithPrefix({ prefix, item }), { parallelism: 1 });

    const prefixTask = makePrefix();
    ParallelFor(loop_parameter, (item) => printWithPrefix({ prefix: prefixTask.output, item }));

    ParallelFor(
      ['x', 'y'],
      () => {
        ParallelFor(loop_parameter, (innerItem) => printWithPrefix({ prefix, item: innerItem }));
      },
      { parallelism: 2 },
    );
  },
);
