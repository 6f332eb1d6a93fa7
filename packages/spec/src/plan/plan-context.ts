import type { PathSegment } from '../issues/spec-issue.ts';
import type { ComponentSpec, PipelineSpec } from '../model/pipeline-spec.ts';
import type { ComponentInputsPlan, DagPlan } from './execution-plan.ts';

/** What planning one task needs from the planner as a whole. */
export interface PlanContext {
  readonly spec: PipelineSpec;
  /**
   * The plan of a DAG component, made once however many tasks use it. `referencePath` is where a task
   * names the component, for the error when a component contains itself.
   */
  dagPlan(componentName: string, component: ComponentSpec, referencePath: readonly PathSegment[]): DagPlan;
}

/** The DAG a task sits in. */
export interface DagScope {
  /** `root.dag` or `components.<name>.dag`. */
  readonly dagPath: readonly PathSegment[];
  readonly taskKeys: ReadonlySet<string>;
  /** The input definitions of the DAG's component: what `componentInputParameter` and `componentInputArtifact` name. */
  readonly inputs: ComponentInputsPlan;
}
