import type { Pipeline, PipelineVersion } from '@cairn/sdk/api';
import type { PipelineVersionRow } from '../../catalog/pipeline-versions.ts';
import type { PipelineRow } from '../../catalog/pipelines.ts';
import { specObject } from './spec-object.ts';
import { rfc3339 } from './timestamps.ts';

export function pipelineToWire(row: PipelineRow): Pipeline {
  return {
    pipeline_id: row.id,
    display_name: row.display_name,
    name: row.name,
    ...(row.description === null ? {} : { description: row.description }),
    created_at: rfc3339(row.created_at),
    ...(row.namespace === '' ? {} : { namespace: row.namespace }),
    ...(row.tags === null ? {} : { tags: JSON.parse(row.tags) as Record<string, string> }),
  };
}

export function versionToWire(row: PipelineVersionRow): PipelineVersion {
  return {
    pipeline_id: row.pipeline_id,
    pipeline_version_id: row.id,
    display_name: row.display_name,
    name: row.name,
    ...(row.description === null ? {} : { description: row.description }),
    created_at: rfc3339(row.created_at),
    ...(row.package_url === null ? {} : { package_url: { pipeline_url: row.package_url } }),
    ...(row.code_source_url === null ? {} : { code_source_url: row.code_source_url }),
    pipeline_spec: specObject(row.spec),
    ...(row.tags === null ? {} : { tags: JSON.parse(row.tags) as Record<string, string> }),
  };
}
