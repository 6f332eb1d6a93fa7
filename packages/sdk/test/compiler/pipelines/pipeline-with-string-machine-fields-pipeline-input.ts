// pipeline_with_string_machine_fields_pipeline_input.yaml: resources set from pipeline inputs, which
// become injected task inputs and placeholders in the container's resources.
import { functionComponent, Parameter, pipeline } from '../../../src/index.ts';

const sumNumbers = functionComponent(
  {
    name: 'sum-numbers',
    inputs: { a: Parameter.Integer, b: Parameter.Integer },
    outputs: { Output: Parameter.Integer },
  },
  async ({ a, b }) => ({ Output: a + b }),
);

export default pipeline(
  {
    name: 'pipeline',
    inputs: {
      cpu_limit: Parameter.String.default('4000m'),
      memory_limit: Parameter.String.default('15G'),
      accelerator_type: Parameter.String.default('NVIDIA_TESLA_P4'),
      accelerator_limit: Parameter.String.default('1'),
    },
  },
  ({ cpu_limit, memory_limit, accelerator_type, accelerator_limit }) => {
    sumNumbers({ a: 1, b: 2 })
      .setCpuLimit(cpu_limit)
      .setMemoryLimit(memory_limit)
      .setAcceleratorType(accelerator_type)
      .setAcceleratorLimit(accelerator_limit);
  },
);
