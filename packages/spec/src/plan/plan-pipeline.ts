import type { PathSegment } from '../issues/spec-issue.ts';
import type { ComponentSpec, PipelineSpec } from '../model/pipeline-spec.ts';
import {
  type DagPlan,
  type ExecutionPlan,
  type PipelineInfoPlan,
  PLAN_VERSION,
  ROOT_COMPONENT_NAME,
} from './execution-plan.ts';
import type { PlanContext } from './plan-context.ts';
import { planDag } from './plan-dag.ts';
import { PlanError } from './plan-error.ts';
import { optionalString, requiredMessage, requiredString } from './read-spec.ts';
import { summarisePlan } from './summarise-plan.ts';

/**
 * Turns a validated PipelineSpec into the plan the engine walks: the tree of DAGs, each with its tasks in
 * topological order, their normalised bindings, iterators, triggers, retry and caching settings, and the
 * exit handlers. Pure and deterministic: the same spec always gives a deep-equal plan.
 *
 * @throws {PlanError} when the spec contradicts itself (an unknown task or component, a cycle, a field of
 * the wrong shape). `validatePipeline` reports all of these first, so a validated spec never throws.
 *
 * @example
 * const { pipeline } = checkPipelineText(text);
 * if (pipeline) {
 *   const plan = planPipeline(pipeline.spec);
 *   console.log(plan.summary.tasks.total, plan.root.tasks.map((task) => task.key));
 * }
 */
export function planPipeline(spec: PipelineSpec): ExecutionPlan {
  const document = requiredMessage(spec, [], 'PipelineSpec');
  const root = requiredMessage(document.root, ['root'], 'ComponentSpec');
  if (root.dag === undefined || root.dag === null) {
    throw new PlanError('FIELD_REQUIRED', ['root', 'dag'], 'the root component must be a DAG');
  }
  const pipeline = planPipelineInfo(document);
  const rootDag = planDag(planContext(document), ROOT_COMPONENT_NAME, root, ['root']);
  return {
    planVersion: PLAN_VERSION,
    pipeline,
    inputDefinitions: rootDag.inputDefinitions,
    outputDefinitions: rootDag.outputDefinitions,
    root: rootDag,
    summary: summarisePlan(rootDag),
  };
}

function planPipelineInfo(spec: PipelineSpec): PipelineInfoPlan {
  const info = requiredMessage(spec.pipelineInfo, ['pipelineInfo'], 'PipelineInfo');
  const optional = {
    displayName: optionalString(info.displayName, ['pipelineInfo', 'displayName']),
    description: optionalString(info.description, ['pipelineInfo', 'description']),
    defaultPipelineRoot: optionalString(spec.defaultPipelineRoot, ['defaultPipelineRoot']),
    sdkVersion: optionalString(spec.sdkVersion, ['sdkVersion']),
  };
  return {
    name: requiredString(info.name, ['pipelineInfo', 'name'], 'the pipeline name'),
    schemaVersion: requiredString(spec.schemaVersion, ['schemaVersion'], 'the schema version'),
    ...Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== undefined)),
  };
}

/**
 * Plans each DAG component once and hands the same DagPlan to every task that uses it, so a component
 * reused along many paths costs one planning, not one per path. Components being planned form the
 * current chain of nesting; meeting one of them again means a component contains itself.
 */
function planContext(spec: PipelineSpec): PlanContext {
  const planned = new Map<string, DagPlan>();
  const chain: string[] = [];
  const context: PlanContext = {
    spec,
    dagPlan(componentName: string, component: ComponentSpec, referencePath: readonly PathSegment[]): DagPlan {
      const known = planned.get(componentName);
      if (known !== undefined) return known;
      if (chain.includes(componentName)) {
        const loop = [...chain.slice(chain.indexOf(componentName)), componentName];
        throw new PlanError(
          'COMPONENT_RECURSION',
          referencePath,
          `components contain each other: ${loop.join(' -> ')}`,
        );
      }
      chain.push(componentName);
      try {
        const plan = planDag(context, componentName, component, ['components', componentName]);
        planned.set(componentName, plan);
        return plan;
      } finally {
        chain.pop();
      }
    },
  };
  return context;
}
