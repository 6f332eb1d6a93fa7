// container_with_if_placeholder.yaml: a container component compiled on its own, with IfPresent
// placeholders on an optional input that has a default.
import { containerComponent, Dataset, ifPresent, Output, Parameter } from '../../../src/index.ts';

export default containerComponent({
  name: 'container-with-if-placeholder',
  image: 'registry.access.redhat.com/ubi9/python-311:latest',
  inputs: { optional_input: Parameter.String.default('default') },
  outputs: { output_path: Parameter.String, dataset: Output(Dataset) },
  command: ({ inputs, outputs }) => [
    'my_program',
    ifPresent(inputs.optional_input, [inputs.optional_input], ['bye']),
    '--dataset',
    ifPresent(inputs.optional_input, [outputs.dataset.uri], ['bye']),
  ],
  args: ({ outputs }) => ['--output_path', outputs.output_path],
});
