import type { JsonValue } from '@cairn/spec';
import { CairnError } from '../../errors.ts';
import type { NewRun } from '../runs/create-run.ts';
import type { Trx } from '../scheduler/task-rows.ts';
import type { RecurringRunRow } from './recurring-run-row.ts';

/** What a recurring run gives each run it fires, as stored in `runtime_config` (the run's own format). */
export interface RuntimeConfig {
  readonly parameters: Readonly<Record<string, JsonValue>>;
  readonly pipelineRoot: string | undefined;
  readonly enableCaching: boolean | undefined;
}

export function runtimeConfigText(config: RuntimeConfig): string {
  return JSON.stringify({
    parameters: config.parameters,
    pipeline_root: config.pipelineRoot ?? null,
    ...(config.enableCaching === undefined ? {} : { enable_caching: config.enableCaching }),
  });
}

/**
 * The run a recurring run fires: its pipeline (inline, or the version it references) and its
 * runtime config. Throws a CairnError when the row no longer describes a run, so the caller can record
 * the slot's run as failed with the reason.
 */
export async function runOfRecurringRun(
  trx: Trx,
  row: RecurringRunRow,
  displayName: string,
): Promise<NewRun> {
  const config = parseRuntimeConfig(row);
  const source = await pipelineSource(trx, row);
  return {
    displayName,
    ...(row.description === null ? {} : { description: row.description }),
    ...source,
    parameters: config.parameters,
    ...(config.pipelineRoot === undefined ? {} : { pipelineRoot: config.pipelineRoot }),
    ...(config.enableCaching === undefined ? {} : { enableCaching: config.enableCaching }),
    ...(row.experiment_id === null ? {} : { experimentId: row.experiment_id }),
  };
}

async function pipelineSource(trx: Trx, row: RecurringRunRow) {
  if (row.pipeline_version_id === null) {
    if (row.pipeline_spec === null) {
      throw new CairnError(
        'RUN_INVALID',
        `recurring run ${row.id} has neither a pipeline spec nor a pipeline version`,
      );
    }
    return { pipelineSpec: row.pipeline_spec };
  }
  const version = await trx
    .selectFrom('pipeline_versions')
    .select(['pipeline_id', 'spec'])
    .where('id', '=', row.pipeline_version_id)
    .executeTakeFirst();
  if (version === undefined) {
    throw new CairnError(
      'PIPELINE_VERSION_NOT_FOUND',
      `pipeline version ${row.pipeline_version_id} of recurring run ${row.id} does not exist`,
    );
  }
  return {
    pipelineSpec: version.spec,
    pipelineId: version.pipeline_id,
    pipelineVersionId: row.pipeline_version_id,
  };
}

function parseRuntimeConfig(row: RecurringRunRow): RuntimeConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(row.runtime_config);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CairnError(
      'RUN_INVALID',
      `recurring run ${row.id} has a runtime config that is not a JSON object`,
    );
  }
  const { parameters, pipeline_root, enable_caching } = parsed as Record<string, unknown>;
  if (
    parameters !== undefined &&
    (typeof parameters !== 'object' || parameters === null || Array.isArray(parameters))
  ) {
    throw new CairnError(
      'RUN_INVALID',
      `recurring run ${row.id} has runtime parameters that are not an object`,
    );
  }
  return {
    parameters: (parameters ?? {}) as Record<string, JsonValue>,
    pipelineRoot: typeof pipeline_root === 'string' ? pipeline_root : undefined,
    enableCaching: typeof enable_caching === 'boolean' ? enable_caching : undefined,
  };
}
