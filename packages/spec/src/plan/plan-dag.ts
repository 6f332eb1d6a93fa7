import type { PathSegment } from '../issues/spec-issue.ts';
import type { ComponentSpec } from '../model/pipeline-spec.ts';
import type { DagPlan, TaskPlan } from './execution-plan.ts';
import { findExitTasks } from './find-exit-tasks.ts';
import { orderTasks } from './order-tasks.ts';
import type { DagScope, PlanContext } from './plan-context.ts';
import { planDagOutputs } from './plan-dag-outputs.ts';
import { planInputDefinitions, planOutputDefinitions } from './plan-definitions.ts';
import { planTask } from './plan-task.ts';
import { compareNames, messageEntries, requiredMessage } from './read-spec.ts';

/** One DAG component: its interface, its tasks in topological order, and the sources of its outputs. */
export function planDag(
  context: PlanContext,
  componentName: string,
  component: ComponentSpec,
  componentPath: readonly PathSegment[],
): DagPlan {
  const dagPath = [...componentPath, 'dag'];
  const dag = requiredMessage(component.dag, dagPath, 'DagSpec');
  const inputDefinitions = planInputDefinitions(component.inputDefinitions, [
    ...componentPath,
    'inputDefinitions',
  ]);
  const outputDefinitions = planOutputDefinitions(component.outputDefinitions, [
    ...componentPath,
    'outputDefinitions',
  ]);
  const entries = messageEntries(dag.tasks, [...dagPath, 'tasks'], 'PipelineTaskSpec');
  const scope: DagScope = {
    dagPath,
    taskKeys: new Set(entries.map(([key]) => key)),
    inputs: inputDefinitions,
  };
  const planned = new Map(entries.map(([key, task]) => [key, planTask(context, scope, key, task)]));
  const order = orderTasks(new Map([...planned].map(([key, task]) => [key, task.upstream])), dagPath);
  const tasks = withExitRoles(order.flatMap((key) => planned.get(key) ?? []));
  return {
    componentName,
    inputDefinitions,
    outputDefinitions,
    tasks,
    outputs: planDagOutputs(dag.outputs, [...dagPath, 'outputs'], scope.taskKeys),
  };
}

/** Marks exit tasks with what they guard, and exit-handler DAG tasks with their exit tasks. */
function withExitRoles(tasks: readonly TaskPlan[]): TaskPlan[] {
  const exits = findExitTasks(tasks);
  const guardedBy = new Map<string, string[]>();
  for (const [exitTask, guards] of [...exits].sort(([a], [b]) => compareNames(a, b))) {
    for (const guarded of guards) guardedBy.set(guarded, [...(guardedBy.get(guarded) ?? []), exitTask]);
  }
  return tasks.map((task) => {
    const guards = exits.get(task.key);
    const exitTasks = guardedBy.get(task.key);
    if (guards === undefined && exitTasks === undefined) return task;
    return {
      ...task,
      ...(guards === undefined ? {} : { guards }),
      ...(exitTasks === undefined ? {} : { exitTasks }),
    };
  });
}
