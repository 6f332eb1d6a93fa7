import {
  ApiRequestError,
  type CairnClient,
  type Experiment,
  type Pipeline,
  type PipelineVersion,
} from '@cairn/sdk/api';
import { CairnError } from '../../errors.ts';

const INVALID_ARGUMENT = 3;
const NOT_FOUND = 5;

function isNotFound(error: unknown): boolean {
  return error instanceof ApiRequestError && error.code === NOT_FOUND;
}

/** The server refuses an id that is not one (not a UUID) as INVALID_ARGUMENT, and an unknown one as NOT_FOUND. */
function isNoSuchId(error: unknown): boolean {
  return isNotFound(error) || (error instanceof ApiRequestError && error.code === INVALID_ARGUMENT);
}

/** An id is tried first; a name that happens to look like one still resolves by name. */
async function byIdThenName<T>(
  byId: () => Promise<T>,
  byName: () => Promise<T | undefined>,
  notFound: () => CairnError,
): Promise<T> {
  try {
    return await byId();
  } catch (error) {
    if (!isNoSuchId(error)) throw error;
  }
  const found = await byName();
  if (found === undefined) throw notFound();
  return found;
}

/** An experiment by id or by its display name (which is unique within a namespace). */
/**
 * The `experiment_id` field of a request scoped by `--experiment ID|NAME`, or no field when the option
 * was not given.
 */
export async function experimentField(
  client: CairnClient,
  idOrName: string | undefined,
): Promise<{ experiment_id?: string }> {
  if (idOrName === undefined) return {};
  return { experiment_id: (await resolveExperiment(client, idOrName)).experiment_id };
}

export function resolveExperiment(client: CairnClient, idOrName: string): Promise<Experiment> {
  return byIdThenName(
    () => client.experiments.get(idOrName),
    async () => {
      const page = await client.experiments.list({
        page_size: 1,
        filter: { predicates: [{ key: 'display_name', operation: 'EQUALS', string_value: idOrName }] },
      });
      return page.experiments[0];
    },
    () => new CairnError('EXPERIMENT_NOT_FOUND', `no experiment has the id or the name "${idOrName}"`),
  );
}

/** A pipeline by id or by its unique name. */
export function resolvePipeline(client: CairnClient, idOrName: string): Promise<Pipeline> {
  return byIdThenName(
    () => client.pipelines.get(idOrName),
    async () => {
      try {
        return await client.pipelines.getByName(idOrName);
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },
    () => new CairnError('PIPELINE_NOT_FOUND', `no pipeline has the id or the name "${idOrName}"`),
  );
}

/** A version of a pipeline by id or by its name. */
export function resolvePipelineVersion(
  client: CairnClient,
  pipeline: Pipeline,
  idOrName: string,
): Promise<PipelineVersion> {
  return byIdThenName(
    () => client.pipelines.versions.get(pipeline.pipeline_id, idOrName),
    async () => {
      const page = await client.pipelines.versions.list(pipeline.pipeline_id, {
        page_size: 1,
        filter: { predicates: [{ key: 'name', operation: 'EQUALS', string_value: idOrName }] },
      });
      return page.pipeline_versions[0];
    },
    () =>
      new CairnError(
        'PIPELINE_VERSION_NOT_FOUND',
        `pipeline ${pipeline.name} has no version with the id or the name "${idOrName}"`,
      ),
  );
}
