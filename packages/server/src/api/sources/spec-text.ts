import { stringify as toYaml } from 'yaml';

/**
 * A spec sent inline as JSON, as the text Cairn stores: the PipelineSpec itself, or KFP's form of a spec
 * with its PlatformSpec (both under one object), kept as two YAML documents the way the compiler writes them.
 */
export function specTextOfObject(spec: Readonly<Record<string, unknown>>): string {
  if (typeof spec.pipeline_spec === 'object' && typeof spec.platform_spec === 'object') {
    return `${toYaml(spec.pipeline_spec)}---\n${toYaml(spec.platform_spec)}`;
  }
  return JSON.stringify(spec);
}
