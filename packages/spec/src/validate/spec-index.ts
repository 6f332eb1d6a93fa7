import type { PathSegment } from '../issues/spec-issue.ts';
import type {
  ComponentSpec,
  InputParameterDefinition,
  OutputParameterDefinition,
  ParameterType,
  PipelineSpec,
} from '../model/pipeline-spec.ts';

/** A component as the validator walks it: where it sits in the document, and its definition. */
export interface ComponentSite {
  /** `root` or a key of `components`. */
  readonly name: string;
  readonly path: readonly PathSegment[];
  readonly component: ComponentSpec;
}

/** Lookups the checks share, built once per spec. */
export class SpecIndex {
  readonly spec: PipelineSpec;
  readonly components: ReadonlyMap<string, ComponentSpec>;
  readonly executorLabels: ReadonlySet<string>;
  /** Components some task runs once per item of an iterator (ParallelFor bodies). */
  readonly iteratedComponents: ReadonlySet<string>;

  constructor(spec: PipelineSpec) {
    this.spec = spec;
    this.components = new Map(Object.entries(spec.components ?? {}));
    this.executorLabels = new Set(Object.keys(spec.deploymentSpec?.executors ?? {}));
    const iterated = new Set<string>();
    for (const component of [spec.root, ...this.components.values()]) {
      for (const task of Object.values(component.dag?.tasks ?? {})) {
        if (task.parameterIterator || task.artifactIterator) iterated.add(task.componentRef.name);
      }
    }
    this.iteratedComponents = iterated;
  }

  /** The root first, then every named component, in document order. */
  sites(): ComponentSite[] {
    const sites: ComponentSite[] = [{ name: 'root', path: ['root'], component: this.spec.root }];
    for (const [name, component] of this.components)
      sites.push({ name, path: ['components', name], component });
    return sites;
  }

  component(name: string): ComponentSpec | undefined {
    return this.components.get(name);
  }
}

/** The deprecated `type` of KFP v1-era specs, read as its modern parameterType. */
const PRIMITIVE_TO_PARAMETER: Record<string, ParameterType> = {
  INT: 'NUMBER_INTEGER',
  DOUBLE: 'NUMBER_DOUBLE',
  STRING: 'STRING',
};

export function parameterTypeOf(
  definition: InputParameterDefinition | OutputParameterDefinition | undefined,
): ParameterType | undefined {
  if (definition === undefined) return undefined;
  return definition.parameterType ?? (definition.type ? PRIMITIVE_TO_PARAMETER[definition.type] : undefined);
}

/** Whether an input must be bound: KFP lets optional inputs and inputs with a default go unbound. */
export function isRequiredInput(definition: InputParameterDefinition): boolean {
  return definition.isOptional !== true && definition.defaultValue === undefined;
}

export function keysOf(record: Record<string, unknown> | undefined): string[] {
  return Object.keys(record ?? {});
}
