import type { DagPlan, PlanSummary, TaskKind } from './execution-plan.ts';

interface Counts {
  dags: number;
  tasks: { total: number } & Record<TaskKind, number>;
  iterators: number;
  conditions: number;
  exitHandlers: number;
}

/** Counts over the plan tree; a DAG used by several tasks counts once per use, as the engine runs it. */
export function summarisePlan(root: DagPlan): PlanSummary {
  // A reused DAG is one shared object, so counting it once and adding that up keeps this linear.
  const counted = new Map<DagPlan, Counts>();
  const count = (dag: DagPlan): Counts => {
    const known = counted.get(dag);
    if (known !== undefined) return known;
    const counts: Counts = {
      dags: 1,
      tasks: { total: 0, container: 0, importer: 0, resolver: 0, dag: 0 },
      iterators: 0,
      conditions: 0,
      exitHandlers: 0,
    };
    for (const task of dag.tasks) {
      counts.tasks.total += 1;
      counts.tasks[task.kind] += 1;
      if (task.iterator !== undefined) counts.iterators += 1;
      if (task.trigger.condition !== undefined) counts.conditions += 1;
      if (task.guards !== undefined) counts.exitHandlers += 1;
      if (task.kind === 'dag') add(counts, count(task.dag));
    }
    counted.set(dag, counts);
    return counts;
  };
  return count(root);
}

function add(into: Counts, from: Counts): void {
  into.dags += from.dags;
  into.iterators += from.iterators;
  into.conditions += from.conditions;
  into.exitHandlers += from.exitHandlers;
  for (const key of ['total', 'container', 'importer', 'resolver', 'dag'] as const)
    into.tasks[key] += from.tasks[key];
}
