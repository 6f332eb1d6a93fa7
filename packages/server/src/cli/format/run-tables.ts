import type { PipelineTaskDetail, Run } from '@cairn/sdk/api';
import { formatTable } from './table.ts';
import { taskLabel } from './task-label.ts';
import { formatDuration, formatTime } from './values.ts';

/** From start to end, or to now while it lasts; empty before it started. */
function duration(start: string | undefined, end: string | undefined, now: number): string {
  const from = start === undefined ? Number.NaN : Date.parse(start);
  if (Number.isNaN(from) || from <= 0) return '';
  const to = end === undefined ? now : Date.parse(end);
  return formatDuration((Number.isNaN(to) || to <= 0 ? now : to) - from);
}

export function runTable(runs: readonly Run[], now = Date.now()): string[] {
  return formatTable(runs, [
    { header: 'RUN ID', value: (r) => r.run_id },
    { header: 'NAME', value: (r) => r.display_name },
    { header: 'STATE', value: (r) => (r.storage_state === 'ARCHIVED' ? `${r.state} (archived)` : r.state) },
    { header: 'CREATED', value: (r) => formatTime(r.created_at) },
    { header: 'DURATION', value: (r) => duration(r.created_at, r.finished_at, now) },
  ]);
}

export function taskTable(tasks: readonly PipelineTaskDetail[], now = Date.now()): string[] {
  return formatTable(tasks, [
    { header: 'TASK ID', value: (t) => t.task_id },
    { header: 'TASK', value: taskLabel },
    { header: 'KIND', value: (t) => (t.executor_detail === undefined ? 'dag' : 'executor') },
    { header: 'STATE', value: (t) => t.state },
    { header: 'STARTED', value: (t) => formatTime(t.start_time) },
    { header: 'DURATION', value: (t) => duration(t.start_time, t.end_time, now) },
    { header: 'ERROR', value: (t) => t.error?.message ?? '' },
  ]);
}

function pipelineOf(run: Run): string {
  const reference = run.pipeline_version_reference;
  if (reference?.pipeline_version_id !== undefined) {
    return `${reference.pipeline_id ?? '?'} version ${reference.pipeline_version_id}`;
  }
  return run.pipeline_spec === undefined ? '' : 'inline spec';
}

/** A run as `run get` shows it: its fields, then its tasks. */
export function runDetail(run: Run, now = Date.now()): string[] {
  const fields: [string, string][] = [
    ['run id', run.run_id],
    ['name', run.display_name],
    ['state', run.state],
    ['storage', run.storage_state],
    ['experiment', run.experiment_id ?? ''],
    ['pipeline', pipelineOf(run)],
    ['recurring run', run.recurring_run_id ?? ''],
    ['created', formatTime(run.created_at)],
    ['finished', formatTime(run.finished_at)],
    ['duration', duration(run.created_at, run.finished_at, now)],
    ['parameters', JSON.stringify(run.runtime_config?.parameters ?? {})],
    ['error', run.error?.message ?? ''],
  ];
  const shown = fields.filter(([, value]) => value !== '');
  const width = Math.max(...shown.map(([name]) => name.length));
  const tasks = run.run_details?.task_details ?? [];
  return [
    ...shown.map(([name, value]) => `${`${name}:`.padEnd(width + 2)}${value}`),
    ...(tasks.length === 0 ? [] : ['', ...taskTable(tasks, now)]),
  ];
}
