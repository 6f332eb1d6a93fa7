// essential/component_with_env_variable.yaml: an environment variable set on a task.
import { functionComponent, Parameter, pipeline } from '../../../src/index.ts';

const readEnvVar = functionComponent(
  { name: 'read-env-var', inputs: { var_name: Parameter.String }, outputs: { Output: Parameter.String } },
  async ({ var_name }) => ({ Output: process.env[var_name] ?? 'UNSET' }),
);

export default pipeline(
  {
    name: 'pipeline-with-env-variable',
    inputs: { var_name: Parameter.String.default('KFP_TEST_ENV_VAR') },
    outputs: { Output: Parameter.String },
  },
  ({ var_name }) => ({
    Output: readEnvVar({ var_name }).setEnvVariable('KFP_TEST_ENV_VAR', 'env_var_value').output,
  }),
);
