import type { ContainerSpec } from '../model/pipeline-spec.ts';
import { parseTemplateText } from '../placeholders/parse-placeholders.ts';

/** The input parameters a container's resource fields read, e.g. a CPU limit set from a pipeline input. */
export function resourceInputNames(container: ContainerSpec): string[] {
  const resources = container.resources;
  const fields = [
    resources?.resourceCpuLimit,
    resources?.resourceMemoryLimit,
    resources?.resourceCpuRequest,
    resources?.resourceMemoryRequest,
    resources?.accelerator?.resourceType,
    resources?.accelerator?.resourceCount,
  ];
  const names = new Set<string>();
  for (const field of fields) {
    if (field === undefined) continue;
    for (const part of parseTemplateText(field)) {
      if (typeof part !== 'string' && part.kind === 'inputParameter') names.add(part.name);
    }
  }
  return [...names];
}
