// local_execution/local_execution_pipeline_with_k8s_only_methods.yaml: CPU and memory limits and an
// accelerator type on a task.
import { functionComponent, Parameter, pipeline } from '../../../src/index.ts';

const echo = functionComponent(
  { name: 'echo', inputs: { message: Parameter.String }, outputs: { Output: Parameter.String } },
  async ({ message }) => ({ Output: message }),
);

export default pipeline(
  {
    name: 'pipeline-with-k8s-only-methods',
    inputs: { message: Parameter.String.default('hello') },
    outputs: { Output: Parameter.String },
  },
  ({ message }) => {
    const task = echo({ message })
      .setCpuLimit('1000m')
      .setMemoryLimit('256Mi')
      .setAcceleratorType('nvidia.com/gpu');
    return { Output: task.output };
  },
);
