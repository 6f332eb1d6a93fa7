import type { TaskPlan } from './execution-plan.ts';

/**
 * The exit tasks among one DAG's tasks, each with the exit-handler DAG tasks it guards.
 *
 * The IR has no "exit task" field, so the role is read from how KFP's compiler writes it
 * (sdk/python/kfp/compiler/pipeline_spec_builder.py and kfp/dsl/tasks_group.py, kubeflow/pipelines):
 *
 * - `with dsl.ExitHandler(exit_task):` becomes a DAG task keyed `exit-handler-N` (its component holds the
 *   guarded tasks) plus, in the same DAG, the exit task built by `build_task_spec_for_exit_task`:
 *   `dependentTasks: [exit-handler-N]`, `triggerPolicy.strategy: ALL_UPSTREAM_TASKS_COMPLETED`, and any
 *   PipelineTaskFinalStatus input bound to `taskFinalStatus` of `exit-handler-N`. An ExitHandler is only
 *   allowed at a pipeline's outermost scope, but that pipeline may itself be used as a component, so exit
 *   tasks are looked for in every DAG, not only the root.
 * - `.ignore_upstream_failure()` (`modify_task_for_ignore_upstream_failure`) sets the same strategy on an
 *   ordinary task. Its upstream tasks are whatever it consumes or names in `.after()`; only the first
 *   uncommon ancestors become dependencies (compiler_utils.get_dependencies), so an upstream task inside a
 *   ParallelFor shows up as the loop's DAG task, and a oneof output as a `condition-branches-N` DAG task.
 * - `build_task_spec_for_group` gives an ExitHandler's DAG task neither an iterator nor a trigger condition;
 *   those belong to ParallelFor and If/Elif/Else groups.
 *
 * Hence: a task is an exit task when its strategy is ALL_UPSTREAM_TASKS_COMPLETED and some upstream task is
 * a DAG task without iterator or condition; those DAG tasks are the ones it guards. A task that merely
 * ignores upstream failures of executor tasks or of loops is not an exit task. What the IR cannot tell
 * apart is an ignore_upstream_failure task that waits for a sub-pipeline or a `condition-branches-N` task:
 * it reads as an exit task. Both run once their upstream finished in any state, and a failed upstream
 * fails the run either way, so only how the task is presented differs.
 *
 * (KFP's own Argo compiler, backend/src/v2/compiler/argocompiler/dag.go, turns every
 * ALL_UPSTREAM_TASKS_COMPLETED task into an exit hook of its dependencies and does not draw this line.)
 */
export function findExitTasks(tasks: readonly TaskPlan[]): ReadonlyMap<string, readonly string[]> {
  const byKey = new Map(tasks.map((task) => [task.key, task]));
  const exitTasks = new Map<string, readonly string[]>();
  for (const task of tasks) {
    if (task.trigger.strategy !== 'ALL_UPSTREAM_TASKS_COMPLETED') continue;
    const guards = task.upstream.filter((key) => {
      const upstream = byKey.get(key);
      return (
        upstream?.kind === 'dag' &&
        upstream.iterator === undefined &&
        upstream.trigger.condition === undefined
      );
    });
    if (guards.length > 0) exitTasks.set(task.key, guards);
  }
  return exitTasks;
}
