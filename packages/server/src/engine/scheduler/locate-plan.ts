import type { DagPlan, ExecutionPlan, TaskPlan } from '@cairn/spec';
import { CairnError } from '../../errors.ts';

/**
 * Task rows are addressed by path: `root`, then task keys, with an iteration index after a loop's key
 * (`root/for-loop-2/3/train`). This finds the plan of the task a path names, and the DAG it belongs to.
 */
export function locateTask(plan: ExecutionPlan, path: string): { task?: TaskPlan; dag: DagPlan } {
  const segments = path.split('/');
  if (segments[0] !== 'root') throw badPath(path);
  let dag = plan.root;
  let task: TaskPlan | undefined;
  let awaitingIndex = false;
  for (const segment of segments.slice(1)) {
    if (awaitingIndex) {
      if (!/^\d+$/.test(segment) || task?.kind !== 'dag') throw badPath(path);
      dag = task.dag;
      task = undefined;
      awaitingIndex = false;
      continue;
    }
    if (task !== undefined) {
      if (task.kind !== 'dag') throw badPath(path);
      dag = task.dag;
    }
    task = dag.tasks.find((candidate) => candidate.key === segment);
    if (task === undefined) throw badPath(path);
    awaitingIndex = task.iterator !== undefined;
  }
  return task === undefined ? { dag } : { task, dag };
}

/** The DAG a DAG-holding row (root, nested DAG, loop iteration) runs. */
export function dagOfRow(plan: ExecutionPlan, path: string, kind: string): DagPlan {
  if (path === 'root') return plan.root;
  const { task, dag } = locateTask(plan, path);
  if (kind === 'iteration') return dag;
  if (task?.kind !== 'dag') throw badPath(path);
  return task.dag;
}

function badPath(path: string): CairnError {
  return new CairnError('RUN_INCONSISTENT', `task path "${path}" does not match the run's pipeline plan`);
}
