// local_execution_pipeline_with_ignore_upstream_failure.yaml: a task ordered after a failing one with
// .after(), running whatever the upstream task's outcome.
import { functionComponent, Parameter, pipeline } from '../../../src/index.ts';

const failAlways = functionComponent(
  { name: 'fail-always', outputs: { Output: Parameter.String } },
  async () => {
    throw new Error('upstream failed intentionally');
  },
);

const writeMarker = functionComponent(
  { name: 'write-marker', inputs: { marker_path: Parameter.String }, outputs: { Output: Parameter.String } },
  async ({ marker_path }) => {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(marker_path, 'cleanup_ran');
    return { Output: 'cleanup_ran' };
  },
);

export default pipeline(
  { name: 'pipeline-with-ignore-upstream-failure', inputs: { marker_path: Parameter.String } },
  ({ marker_path }) => {
    const upstream = failAlways();
    writeMarker({ marker_path }).after(upstream).ignoreUpstreamFailure();
  },
);
