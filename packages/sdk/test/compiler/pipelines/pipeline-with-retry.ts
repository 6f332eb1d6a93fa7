// local_execution/local_execution_pipeline_with_retry.yaml: a retry policy with explicit backoff, and a
// task output returned as the pipeline's output.
import { functionComponent, Parameter, pipeline } from '../../../src/index.ts';

const flaky = functionComponent(
  { name: 'flaky', inputs: { counter_path: Parameter.String }, outputs: { Output: Parameter.String } },
  async ({ counter_path }) => {
    const { readFile, writeFile } = await import('node:fs/promises');
    const count = Number(await readFile(counter_path, 'utf8').catch(() => '0')) + 1;
    await writeFile(counter_path, String(count));
    if (count <= 1) throw new Error(`flaky attempt ${count}`);
    return { Output: `attempt=${count}` };
  },
);

export default pipeline(
  {
    name: 'pipeline-with-retry',
    inputs: { counter_path: Parameter.String },
    outputs: { Output: Parameter.String },
  },
  ({ counter_path }) => {
    const task = flaky({ counter_path }).setRetry({
      maxRetryCount: 3,
      backoffDuration: '0s',
      backoffFactor: 1,
    });
    return { Output: task.output };
  },
);
