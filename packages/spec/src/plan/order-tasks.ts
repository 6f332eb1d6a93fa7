import type { PathSegment } from '../issues/spec-issue.ts';
import { PlanError } from './plan-error.ts';
import { compareNames } from './read-spec.ts';

/**
 * The tasks of one DAG in topological order (Kahn's algorithm), taking the smallest ready name first so
 * the order depends only on the graph, never on the order the spec happened to list tasks in.
 *
 * `upstream` maps every task to the tasks it waits for, all of which must be keys of the map.
 * A cycle is a PlanError at `dagPath.tasks.<first task of the cycle>`.
 */
export function orderTasks(
  upstream: ReadonlyMap<string, readonly string[]>,
  dagPath: readonly PathSegment[],
): string[] {
  const waitingOn = new Map<string, number>();
  const downstream = new Map<string, string[]>();
  for (const [task, producers] of upstream) {
    waitingOn.set(task, new Set(producers).size);
    for (const producer of new Set(producers)) {
      const consumers = downstream.get(producer);
      if (consumers === undefined) downstream.set(producer, [task]);
      else consumers.push(task);
    }
  }
  const ready = [...waitingOn].filter(([, count]) => count === 0).map(([task]) => task);
  ready.sort(compareNames);
  const order: string[] = [];
  for (let next = ready.shift(); next !== undefined; next = ready.shift()) {
    order.push(next);
    for (const consumer of downstream.get(next) ?? []) {
      const count = (waitingOn.get(consumer) ?? 0) - 1;
      waitingOn.set(consumer, count);
      if (count === 0) insertSorted(ready, consumer);
    }
  }
  if (order.length < upstream.size) {
    const cycle = findCycle(upstream, new Set(order));
    throw new PlanError(
      'DEPENDENCY_CYCLE',
      [...dagPath, 'tasks', cycle[0] ?? ''],
      `tasks wait for each other in a cycle (each waits for the next): ${cycle.join(' -> ')}`,
    );
  }
  return order;
}

function insertSorted(names: string[], name: string): void {
  let low = 0;
  let high = names.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareNames(names[middle] ?? '', name) < 0) low = middle + 1;
    else high = middle;
  }
  names.splice(low, 0, name);
}

/**
 * Every task Kahn's algorithm could not order waits for at least one other such task, so following those
 * edges from any of them must come back to a task already seen: that loop is the cycle.
 */
function findCycle(upstream: ReadonlyMap<string, readonly string[]>, ordered: ReadonlySet<string>): string[] {
  const stuck = (task: string): string[] =>
    (upstream.get(task) ?? []).filter((producer) => !ordered.has(producer)).sort(compareNames);
  const start = [...upstream.keys()].filter((task) => !ordered.has(task)).sort(compareNames)[0];
  const walk: string[] = [];
  for (let task = start; task !== undefined; task = stuck(task)[0]) {
    const seen = walk.indexOf(task);
    if (seen >= 0) return [...walk.slice(seen), task];
    walk.push(task);
  }
  return walk;
}
