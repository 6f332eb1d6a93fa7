// container_with_concat_placeholder.yaml: a container component compiled on its own, with a Concat
// placeholder mixing text, an input parameter and an output artifact's URI.
import { concat, containerComponent, Dataset, Output, Parameter } from '../../../src/index.ts';

export default containerComponent({
  name: 'container-with-concat-placeholder',
  image: 'registry.access.redhat.com/ubi9/python-311:latest',
  inputs: { text1: Parameter.String },
  outputs: { text2: Output(Dataset), output_path: Parameter.String },
  command: ({ inputs, outputs }) => ['my_program', concat('prefix-', inputs.text1, outputs.text2.uri)],
  args: ({ outputs }) => ['--output_path', outputs.output_path],
});
