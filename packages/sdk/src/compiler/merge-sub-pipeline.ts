import type { ComponentSpec, ExecutorSpec, PipelineSpec, PipelineTaskSpec } from '@cairn/spec';
import { uniqueName } from '../dsl/graph/graph-model.ts';

/**
 * Takes a pipeline used as a task into the outer pipeline (KFP's
 * `merge_deployment_spec_and_component_spec`): its executors and components join the outer ones, renamed
 * with `-2`, `-3`, ... where the names are taken, and its root becomes the task's component. The inner
 * spec is copied first, so a pipeline can be used any number of times.
 *
 * @example
 * const component = mergeSubPipeline(components, executors, inner.spec);
 */
export function mergeSubPipeline(
  components: Record<string, ComponentSpec>,
  executors: Record<string, ExecutorSpec>,
  subPipeline: PipelineSpec,
): ComponentSpec {
  const sub = structuredClone(subPipeline);
  const subComponents = sub.components ?? {};

  // Each executor gets its new label once, so that a rename cannot be caught by a later one.
  const labels = new Map<string, string>();
  for (const [label, executor] of Object.entries(sub.deploymentSpec?.executors ?? {})) {
    const newLabel = uniqueName(label, (candidate) => candidate in executors);
    labels.set(label, newLabel);
    executors[newLabel] = executor;
  }
  for (const component of Object.values(subComponents)) {
    if (component.executorLabel !== undefined)
      component.executorLabel = labels.get(component.executorLabel) ?? component.executorLabel;
  }

  // A name stays taken once any component of the inner pipeline had or got it (KFP's rule).
  const names = new Map<string, string>();
  const taken = new Set(Object.keys(components));
  for (const name of Object.keys(subComponents)) {
    const newName = uniqueName(name, (candidate) => taken.has(candidate));
    names.set(name, newName);
    taken.add(name);
    taken.add(newName);
  }
  const renameRefs = (tasks: Record<string, PipelineTaskSpec> | undefined): void => {
    for (const task of Object.values(tasks ?? {}))
      task.componentRef.name = names.get(task.componentRef.name) ?? task.componentRef.name;
  };
  for (const component of Object.values(subComponents)) renameRefs(component.dag?.tasks);
  renameRefs(sub.root.dag?.tasks);
  for (const [name, component] of Object.entries(subComponents))
    components[names.get(name) ?? name] = component;
  return sub.root;
}
