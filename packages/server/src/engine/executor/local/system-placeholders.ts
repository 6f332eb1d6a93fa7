import type { SystemPlaceholder } from '@cairn/spec';
import type { ExecutableTask } from '../task-executor.ts';

/**
 * The value of a KFP system placeholder for a task, or undefined for the ones that only mean something on
 * Google Cloud (left as written, as KFP's own backend does). Times are RFC 3339 in UTC without fractions,
 * the form KFP's backend passes (Argo's `creationTimestamp.RFC3339`).
 *
 * @example
 * systemPlaceholderValue('pipeline_task_name', task, workspace); // 'train'
 */
export function systemPlaceholderValue(
  name: SystemPlaceholder,
  task: ExecutableTask,
  workspace: string,
): string | undefined {
  const { system } = task;
  switch (name) {
    case 'pipeline_job_name':
      return system.jobName;
    case 'pipeline_job_uuid':
      return system.jobUuid;
    case 'pipeline_job_resource_name':
      return system.jobResourceName ?? system.jobUuid;
    case 'pipeline_job_create_time_utc':
      return rfc3339(system.jobCreateTime);
    case 'pipeline_job_schedule_time_utc':
      return rfc3339(system.jobScheduleTime ?? system.jobCreateTime);
    case 'pipeline_task_name':
      return task.taskName;
    case 'pipeline_task_uuid':
      return task.taskId;
    case 'pipeline_root':
      return task.pipelineRoot;
    case 'workspace_path':
      return workspace;
    case 'pipeline_google_cloud_project_id':
    case 'pipeline_google_cloud_location':
      return undefined;
  }
}

function rfc3339(milliseconds: number): string {
  return new Date(milliseconds).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
