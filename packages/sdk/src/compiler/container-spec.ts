import type { ContainerSpec, ImporterSpec, ResourceSpec } from '@cairn/spec';
import { channelsInString, PipelineChannel } from '../dsl/channels/pipeline-channel.ts';
import type { TaskNode } from '../dsl/graph/graph-model.ts';
import { InputValuePlaceholder } from '../dsl/placeholders/placeholders.ts';
import { artifactTypeSchema } from './component-spec.ts';
import { additionalInputName } from './group-analysis.ts';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

// A value set from a pipeline value holds its channel's pattern; the executor reads the injected input.
function toPlaceholder(task: TaskNode, value: string): string {
  const [channel] = channelsInString(task.owner, value);
  if (channel === undefined) return value;
  return value.replace(channel.pattern, new InputValuePlaceholder(additionalInputName(channel)).text);
}

/**
 * The container executor of a task (KFP's `build_container_spec_for_task`): the component's image and
 * command line with the task's environment and resources. Resources set from pipeline values become
 * placeholders in the `resource*` fields; constant ones also fill the older numeric fields (CPU in cores,
 * memory in GB) for older backends.
 *
 * @example
 * containerSpecOf(task); // { image: 'alpine', command: ['echo', 'hi'] }
 */
export function containerSpecOf(task: TaskNode): ContainerSpec {
  const implementation = task.component.implementation;
  if (implementation.kind !== 'container') throw new Error(`task ${task.name} has no container`);
  const spec: Mutable<ContainerSpec> = { image: toPlaceholder(task, task.image ?? implementation.image) };
  if (implementation.command.length > 0) spec.command = [...implementation.command];
  if (implementation.args.length > 0) spec.args = [...implementation.args];
  if (task.env.size > 0) spec.env = [...task.env].map(([name, value]) => ({ name, value }));
  const { cpuRequest, cpuLimit, memoryRequest, memoryLimit, acceleratorType, acceleratorCount } =
    task.resources;
  const resources: Mutable<ResourceSpec> = {};
  const setResource = (
    value: string | undefined,
    convert: (text: string) => number,
    field: 'cpuRequest' | 'cpuLimit' | 'memoryRequest' | 'memoryLimit',
  ): void => {
    if (value === undefined) return;
    const placeholder = toPlaceholder(task, value);
    const resourceField = `resource${field.charAt(0).toUpperCase()}${field.slice(1)}` as
      | 'resourceCpuRequest'
      | 'resourceCpuLimit'
      | 'resourceMemoryRequest'
      | 'resourceMemoryLimit';
    resources[resourceField] = placeholder;
    if (placeholder === value) resources[field] = convert(value);
  };
  setResource(cpuRequest, cpuToFloat, 'cpuRequest');
  setResource(cpuLimit, cpuToFloat, 'cpuLimit');
  setResource(memoryRequest, memoryToFloat, 'memoryRequest');
  setResource(memoryLimit, memoryToFloat, 'memoryLimit');
  if (acceleratorCount !== undefined) {
    const accelerator: Mutable<NonNullable<ResourceSpec['accelerator']>> = {};
    if (acceleratorType !== undefined) {
      const typePlaceholder = toPlaceholder(task, acceleratorType);
      accelerator.resourceType = typePlaceholder;
      if (typePlaceholder === acceleratorType) accelerator.type = acceleratorType;
    }
    const countPlaceholder = toPlaceholder(task, acceleratorCount);
    accelerator.resourceCount = countPlaceholder;
    if (countPlaceholder === acceleratorCount) accelerator.count = Number.parseInt(acceleratorCount, 10);
    resources.accelerator = accelerator;
  }
  if (Object.keys(resources).length > 0) spec.resources = resources;
  return spec;
}

/** CPU in cores: `'500m'` is 0.5. */
function cpuToFloat(cpu: string): number {
  return cpu.endsWith('m') ? Number(cpu.slice(0, -1)) / 1000 : Number(cpu);
}

const GIGA = 10 ** 9;
const MEMORY_UNITS: readonly (readonly [string, number])[] = [
  ['Ei', 2 ** 60],
  ['Pi', 2 ** 50],
  ['Ti', 2 ** 40],
  ['Gi', 2 ** 30],
  ['Mi', 2 ** 20],
  ['Ki', 2 ** 10],
  ['E', 10 ** 18],
  ['P', 10 ** 15],
  ['T', 10 ** 12],
  ['G', GIGA],
  ['M', 10 ** 6],
  ['K', 10 ** 3],
];

/** Memory in GB (10^9 bytes), computed in KFP's order of operations so the doubles come out the same. */
function memoryToFloat(memory: string): number {
  for (const [suffix, unit] of MEMORY_UNITS) {
    if (memory.endsWith(suffix)) {
      const value = Number(memory.slice(0, -suffix.length));
      return suffix === 'G' ? value : (value * unit) / GIGA;
    }
  }
  return Number(memory) / GIGA;
}

/**
 * The importer executor of a task (KFP's `build_importer_spec_for_task`): a constant URI, or the task's
 * `uri` input when the URI is a pipeline value.
 *
 * @example
 * importerSpecOf(task); // { artifactUri: { constant: 'gs://...' }, typeSchema: { schemaTitle: 'system.Dataset', ... } }
 */
export function importerSpecOf(task: TaskNode): ImporterSpec {
  const implementation = task.component.implementation;
  if (implementation.kind !== 'importer') throw new Error(`task ${task.name} is not an importer`);
  const uri = task.inputs.get('uri');
  const fromPipeline =
    uri instanceof PipelineChannel ||
    (typeof uri === 'string' && channelsInString(task.owner, uri).length > 0);
  const spec: Mutable<ImporterSpec> = {
    artifactUri: fromPipeline
      ? { runtimeParameter: 'uri' }
      : { constant: typeof uri === 'string' ? uri : '' },
    typeSchema: artifactTypeSchema(implementation.artifactType),
  };
  if (implementation.reimport) spec.reimport = true;
  if (implementation.metadata !== undefined) spec.metadata = implementation.metadata;
  return spec;
}
