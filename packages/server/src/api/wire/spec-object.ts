import { readJsonObject } from '@cairn/spec';
import { parseAllDocuments } from 'yaml';

/**
 * A stored spec as KFP returns it: the PipelineSpec object, or, with a PlatformSpec beside it, both
 * under `pipeline_spec` and `platform_spec`.
 */
export function specObject(text: string): Record<string, unknown> {
  // Specs sent inline are stored as JSON, which JSON.parse reads many times faster than the YAML parser.
  const json = readJsonObject(text);
  if (json !== undefined) return json;
  const documents = parseAllDocuments(text).map((document) => document.toJS() as Record<string, unknown>);
  const [pipelineSpec, platformSpec] = documents;
  if (platformSpec === undefined) return pipelineSpec ?? {};
  return { pipeline_spec: pipelineSpec, platform_spec: platformSpec };
}
