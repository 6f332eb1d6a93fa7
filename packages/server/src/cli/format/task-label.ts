import type { PipelineTaskDetail } from '@cairn/sdk/api';

/**
 * A task's name for people: its path below the root DAG (`train`, `for-loop-2/3/train`), which stays
 * unique where display names repeat (loop iterations), or the display name when there is no path.
 */
export function taskLabel(task: PipelineTaskDetail): string {
  const path = task.pod_name;
  if (path === undefined || path === '') return task.display_name;
  return path.startsWith('root/') ? path.slice('root/'.length) : path;
}

/** The tasks that run something (containers, importers), not the DAGs that group them. */
export function executorTasks(tasks: readonly PipelineTaskDetail[]): PipelineTaskDetail[] {
  return tasks.filter((task) => task.executor_detail !== undefined);
}
