import { type JsonValue, parseTemplateText, type ResourceSpec } from '@cairn/spec';
import type { ResourceRecord } from '../task-executor.ts';
import { parameterText } from './parameter-text.ts';
import { TaskFailure } from './task-failure.ts';

/** How memory limits are enforced here: with `prlimit`, or not at all and why. */
export type MemoryLimiter = { readonly prlimit: string } | { readonly unavailable: string };

/** What a task's resources come to on this machine. */
export interface ResourcePlan {
  readonly records: ResourceRecord[];
  /** The RLIMIT_DATA to set on the task's processes, in bytes, when memory is limited. */
  readonly dataLimitBytes?: number;
}

const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;
const MULTIPLIERS: Record<string, number> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/**
 * Plans the container's resources for a local process. Each field may read an input parameter
 * (`{{$.inputs.parameters['x']}}`, as KFP's driver resolves it); the older numeric fields are GB and cores.
 * A value that is not a Kubernetes quantity fails the task, as it fails KFP's driver.
 *
 * Only the memory limit is enforced, and only per process: with `prlimit` (util-linux) each of the task's
 * processes gets an RLIMIT_DATA of the limit, which bounds its heap and private writable mappings (an
 * allocation beyond it fails). Unlike a container's cgroup limit it does not add up the task's processes
 * or count shared memory and page cache, and Node (function components) needs a limit of at least about
 * 700 MB to start. RLIMIT_AS, the other candidate, counts the virtual reservations of V8, Go and the JVM
 * and breaks them at ordinary limits. CPU limits need a cgroup quota, which an unprivileged process cannot
 * set up reliably, and requests and accelerators only guide a cluster's scheduler: these are recorded, not
 * enforced.
 *
 * @example
 * planResources({ resourceMemoryLimit: '2G' }, {}, { prlimit: '/usr/bin/prlimit' }).dataLimitBytes; // 2000000000
 */
export function planResources(
  resources: ResourceSpec | undefined,
  parameterValues: Readonly<Record<string, JsonValue>>,
  memoryLimiter: MemoryLimiter,
): ResourcePlan {
  const records: ResourceRecord[] = [];
  const field = (name: string, text: string | undefined, legacy: number | undefined, unit: string) =>
    text === undefined || text === ''
      ? legacy === undefined || legacy === 0
        ? undefined
        : `${legacy}${unit}`
      : resolveField(name, text, parameterValues);
  let dataLimitBytes: number | undefined;

  const memoryLimit = field(
    'resourceMemoryLimit',
    resources?.resourceMemoryLimit,
    resources?.memoryLimit,
    'G',
  );
  if (memoryLimit !== undefined) {
    const bytes = Math.ceil(quantity('memory limit', memoryLimit));
    if ('unavailable' in memoryLimiter) {
      records.push({
        resource: 'memoryLimit',
        requested: memoryLimit,
        enforced: false,
        detail: `not enforced: ${memoryLimiter.unavailable}`,
      });
    } else {
      dataLimitBytes = bytes;
      records.push({
        resource: 'memoryLimit',
        requested: memoryLimit,
        enforced: true,
        detail:
          `RLIMIT_DATA of ${bytes} bytes on each process of the task (prlimit --data): heap and private ` +
          'writable memory per process, not the sum over processes, shared memory or page cache',
      });
    }
  }
  const cpuLimit = field('resourceCpuLimit', resources?.resourceCpuLimit, resources?.cpuLimit, '');
  if (cpuLimit !== undefined) {
    quantity('CPU limit', cpuLimit);
    records.push({
      resource: 'cpuLimit',
      requested: cpuLimit,
      enforced: false,
      detail: 'not enforced: limiting CPU needs a cgroup quota, which the local executor does not set up',
    });
  }
  const requests: [ResourceRecord['resource'], string, string | undefined][] = [
    [
      'memoryRequest',
      'memory request',
      field('resourceMemoryRequest', resources?.resourceMemoryRequest, resources?.memoryRequest, 'G'),
    ],
    [
      'cpuRequest',
      'CPU request',
      field('resourceCpuRequest', resources?.resourceCpuRequest, resources?.cpuRequest, ''),
    ],
  ];
  for (const [resource, what, requested] of requests) {
    if (requested === undefined) continue;
    quantity(what, requested);
    records.push({
      resource,
      requested,
      enforced: false,
      detail:
        'not enforced: requests guide a cluster scheduler; the local executor runs every task it is given',
    });
  }
  const accelerator = resources?.accelerator;
  const acceleratorType =
    field('accelerator.resourceType', accelerator?.resourceType, undefined, '') ?? accelerator?.type;
  const acceleratorCount = field(
    'accelerator.resourceCount',
    accelerator?.resourceCount,
    accelerator?.count,
    '',
  );
  if (acceleratorType !== undefined && acceleratorType !== '' && acceleratorCount !== undefined) {
    records.push({
      resource: 'accelerator',
      requested: `${acceleratorType} x ${acceleratorCount}`,
      enforced: false,
      detail:
        'not enforced: the local executor does not allocate accelerators; the process sees what the machine has',
    });
  }
  return { records, ...(dataLimitBytes === undefined ? {} : { dataLimitBytes }) };
}

/** A resource field with its input parameter placeholders filled in. */
function resolveField(
  name: string,
  text: string,
  parameterValues: Readonly<Record<string, JsonValue>>,
): string {
  return parseTemplateText(text)
    .map((part) => {
      if (typeof part === 'string') return part;
      if (part.kind !== 'inputParameter') {
        throw new TaskFailure(
          `resources.${name} may only use input parameter placeholders, not ${JSON.stringify(text)}`,
        );
      }
      if (!Object.hasOwn(parameterValues, part.name)) {
        throw new TaskFailure(`resources.${name} reads input parameter '${part.name}', which has no value`);
      }
      return parameterText(parameterValues[part.name] as JsonValue);
    })
    .join('');
}

/** A Kubernetes quantity (`500m`, `2`, `4G`, `512Mi`, `1e9`) as a number, or a TaskFailure. */
function quantity(what: string, text: string): number {
  const match = QUANTITY.exec(text.trim());
  const [, number = '', suffix = ''] = match ?? [];
  const multiplier =
    suffix.startsWith('e') || suffix.startsWith('E') ? 10 ** Number(suffix.slice(1)) : MULTIPLIERS[suffix];
  const value = Number(number) * (multiplier ?? Number.NaN);
  if (match === null || !Number.isFinite(value) || value < 0) {
    throw new TaskFailure(
      `the ${what} ${JSON.stringify(text)} is not a Kubernetes quantity such as 500m, 2, 4G or 512Mi`,
    );
  }
  return value;
}
