import type { ContainerSpec } from '../model/pipeline-spec.ts';
import { PlaceholderSyntaxError, parseTemplateText } from '../placeholders/parse-placeholders.ts';

/** Each resource field a container sets that may hold placeholders, by its name in the spec. */
export function resourceFields(container: ContainerSpec): [string[], string][] {
  const resources = container.resources;
  const fields: [string[], string | undefined][] = [
    [['resourceCpuLimit'], resources?.resourceCpuLimit],
    [['resourceMemoryLimit'], resources?.resourceMemoryLimit],
    [['resourceCpuRequest'], resources?.resourceCpuRequest],
    [['resourceMemoryRequest'], resources?.resourceMemoryRequest],
    [['accelerator', 'resourceType'], resources?.accelerator?.resourceType],
    [['accelerator', 'resourceCount'], resources?.accelerator?.resourceCount],
  ];
  return fields.filter((field): field is [string[], string] => field[1] !== undefined);
}

/**
 * The input parameters a container's resource fields read, e.g. a CPU limit set from a pipeline input.
 * A field whose placeholder does not parse names no input; the executor check reports its syntax.
 */
export function resourceInputNames(container: ContainerSpec): string[] {
  const names = new Set<string>();
  for (const [, text] of resourceFields(container)) {
    let parts: ReturnType<typeof parseTemplateText>;
    try {
      parts = parseTemplateText(text);
    } catch (error) {
      if (error instanceof PlaceholderSyntaxError) continue;
      throw error;
    }
    for (const part of parts) {
      if (typeof part !== 'string' && part.kind === 'inputParameter') names.add(part.name);
    }
  }
  return [...names];
}
