// critical/collected_parameters.yaml: a ParallelFor over a task's list output, Collected consumed after
// the loop and returned from a pipeline that another pipeline calls with a constant, caching off on
// tasks and on the nested pipeline's task.
import { Collected, functionComponent, ParallelFor, Parameter, pipeline } from '../../../src/index.ts';

const splitIds = functionComponent(
  { name: 'split-ids', inputs: { ids: Parameter.String }, outputs: { Output: Parameter.List } },
  async ({ ids }) => ({ Output: ids.split(',') }),
);

const prependId = functionComponent(
  { name: 'prepend-id', inputs: { content: Parameter.String }, outputs: { Output: Parameter.String } },
  async ({ content }) => ({ Output: `model_id_${content}` }),
);

const consumeIds = functionComponent(
  {
    name: 'consume-ids',
    inputs: { ids: Parameter.List.of(Parameter.String) },
    outputs: { Output: Parameter.String },
  },
  async ({ ids }) => {
    for (const id of ids) console.log(`Consuming: ${id}`);
    return { Output: 'completed' };
  },
);

const consumeSingleId = functionComponent(
  { name: 'consume-single-id', inputs: { id: Parameter.String }, outputs: { Output: Parameter.String } },
  async ({ id }) => {
    console.log(`Consuming single: ${id}`);
    return { Output: 'completed' };
  },
);

const collectingParameters = pipeline(
  {
    name: 'collecting-parameters',
    inputs: { model_ids: Parameter.String.default('') },
    outputs: { Output: Parameter.List.of(Parameter.String) },
  },
  ({ model_ids }) => {
    const idsSplit = splitIds({ ids: model_ids });
    const prepended = ParallelFor(idsSplit.output, (modelId) => {
      const prependIdOp = prependId({ content: modelId }).setCachingOptions(false);
      consumeSingleId({ id: prependIdOp.output }).setCachingOptions(false);
      return prependIdOp;
    });
    consumeIds({ ids: Collected(prepended.output) }).setCachingOptions(false);
    return { Output: Collected(prepended.output) };
  },
);

export default pipeline({ name: 'collected-param-pipeline' }, () => {
  const dag = collectingParameters({ model_ids: 's1,s2,s3' }).setCachingOptions(false);
  consumeIds({ ids: dag.output }).setCachingOptions(false);
});
