/**
 * Always report how a run ended.
 *
 * The steps inside the ExitHandler fetch a batch, retrying a flaky step with backoff, and fail on purpose
 * when `fail_on_purpose` is true. Whatever happens, the exit task runs afterwards and receives the final
 * status of the guarded steps (KFP's PipelineTaskFinalStatus), which it turns into a status report.
 *
 *   cairn compile examples/exit-handler-report.ts -o exit-handler-report.yaml
 */
import {
  ExitHandler,
  functionComponent,
  Markdown,
  Output,
  Parameter,
  pipeline,
  TaskFinalStatus,
} from '@cairn/sdk';

const fetchBatch = functionComponent(
  {
    name: 'fetch-batch',
    description: 'Produces the next batch id; fails on its first attempts to show retries at work.',
    inputs: { failures_before_success: Parameter.Integer },
    outputs: { batch_id: Parameter.String },
  },
  async ({ failures_before_success }) => {
    // KFP_RETRY_INDEX is 0 on the first attempt, 1 on the first retry, and so on.
    const retryIndex = Number(process.env.KFP_RETRY_INDEX ?? '0');
    if (retryIndex < failures_before_success)
      throw new Error(`transient failure (attempt ${retryIndex + 1})`);
    return { batch_id: `batch-${retryIndex + 1}` };
  },
);

const processBatch = functionComponent(
  {
    name: 'process-batch',
    description: 'Processes a batch, or fails when asked to, so the exit handler has a failure to report.',
    inputs: { batch_id: Parameter.String, fail_on_purpose: Parameter.Boolean },
    outputs: { records: Parameter.Integer },
  },
  async ({ batch_id, fail_on_purpose }) => {
    if (fail_on_purpose) throw new Error(`processing ${batch_id} failed on purpose`);
    return { records: 1000 };
  },
);

const reportStatus = functionComponent(
  {
    name: 'report-status',
    description: 'Writes how the guarded steps ended: state, failing task and error message.',
    inputs: { status: TaskFinalStatus, channel: Parameter.String },
    outputs: { report: Output(Markdown) },
  },
  async ({ status, channel }, { report }) => {
    const { writeFile } = await import('node:fs/promises');
    const lines = [
      `# Run ${status.pipelineJobResourceName}`,
      '',
      `- state: **${status.state}**`,
      `- reported to: ${channel}`,
    ];
    if (status.error?.message) lines.push(`- error: ${status.error.message}`);
    await writeFile(report.path, `${lines.join('\n')}\n`);
    console.log(`[${channel}] ${status.pipelineTaskName}: ${status.state}`);
  },
);

export default pipeline(
  {
    name: 'exit-handler-report',
    description: 'Processes a batch and always reports the outcome, success or failure.',
    inputs: {
      fail_on_purpose: Parameter.Boolean.default(false),
      failures_before_success: Parameter.Integer.default(1),
      channel: Parameter.String.default('#ml-pipelines'),
    },
  },
  ({ fail_on_purpose, failures_before_success, channel }) => {
    const report = reportStatus({ channel }).setDisplayName('report the outcome');
    ExitHandler(report, () => {
      const fetched = fetchBatch({ failures_before_success })
        .setRetry({ maxRetryCount: 3, backoffDuration: '1s', backoffFactor: 2, backoffMaxDuration: '10s' })
        .setCachingOptions(false);
      processBatch({ batch_id: fetched.outputs.batch_id, fail_on_purpose }).setCachingOptions(false);
    });
  },
);
