import type { PipelineTaskSpec } from '../model/pipeline-spec.ts';

/**
 * The tasks a task waits for: its explicit dependentTasks plus every task whose outputs or final status
 * it consumes. KFP's compiler lists data producers in dependentTasks too, but a hand-written spec may not.
 */
export function upstreamOf(task: PipelineTaskSpec): string[] {
  const upstream = new Set(task.dependentTasks ?? []);
  for (const binding of Object.values(task.inputs?.parameters ?? {})) {
    if (binding.taskOutputParameter) upstream.add(binding.taskOutputParameter.producerTask);
    if (binding.taskFinalStatus) upstream.add(binding.taskFinalStatus.producerTask);
  }
  for (const binding of Object.values(task.inputs?.artifacts ?? {})) {
    if (binding.taskOutputArtifact) upstream.add(binding.taskOutputArtifact.producerTask);
  }
  return [...upstream].sort();
}

/**
 * A cycle among the tasks of one DAG, as the list of task names that closes it (`a -> b -> a`), or
 * undefined. References to tasks that do not exist are ignored here; they are reported on their own.
 */
export function findDependencyCycle(tasks: Readonly<Record<string, PipelineTaskSpec>>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    const seen = state.get(name);
    if (seen === 'done') return undefined;
    if (seen === 'visiting') return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, 'visiting');
    stack.push(name);
    const task = tasks[name];
    for (const next of task ? upstreamOf(task) : []) {
      if (next === name || !Object.hasOwn(tasks, next)) continue;
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const name of Object.keys(tasks).sort()) {
    const cycle = visit(name);
    if (cycle) return cycle;
  }
  return undefined;
}
