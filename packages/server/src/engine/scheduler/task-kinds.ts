/**
 * What a task row stands for. Executor kinds run through a TaskExecutor (or, for the importer, inside
 * the scheduler); the others are scheduling structure: the root and nested DAGs, a loop, and one
 * iteration of a loop (an instance of the loop body's DAG).
 */
export const TASK_KIND = {
  ROOT: 'root',
  DAG: 'dag',
  ITERATOR: 'iterator',
  ITERATION: 'iteration',
  CONTAINER: 'container',
  IMPORTER: 'importer',
  RESOLVER: 'resolver',
} as const;

export type TaskKindName = (typeof TASK_KIND)[keyof typeof TASK_KIND];

/** Kinds whose rows hold a DAG instance: their children are the DAG's tasks. */
export function holdsDag(kind: string): boolean {
  return kind === TASK_KIND.ROOT || kind === TASK_KIND.DAG || kind === TASK_KIND.ITERATION;
}
