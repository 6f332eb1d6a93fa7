import type { IssueCollector } from '../issues/spec-issue.ts';
import { listNames } from '../issues/suggest.ts';
import type { PipelineSpec } from '../model/pipeline-spec.ts';

/**
 * The PipelineSpec schema versions Cairn reads. 2.0.0 is what KFP SDK 2.0 wrote; 2.1.0 (KFP SDK 2.1 and
 * later) adds fields, such as task final status inputs and artifact lists, that the model covers.
 */
export const SUPPORTED_SCHEMA_VERSIONS = ['2.0.0', '2.1.0'] as const;

export function checkSchemaVersion(spec: PipelineSpec, issues: IssueCollector): void {
  if ((SUPPORTED_SCHEMA_VERSIONS as readonly string[]).includes(spec.schemaVersion)) return;
  issues.error(
    'SCHEMA_VERSION_UNSUPPORTED',
    ['schemaVersion'],
    `schema version "${spec.schemaVersion}" is not supported; this version of Cairn reads ${listNames(SUPPORTED_SCHEMA_VERSIONS)}`,
  );
}
