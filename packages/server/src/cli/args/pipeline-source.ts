import { readFile } from 'node:fs/promises';
import type { CairnClient, PipelineVersionReference } from '@cairn/sdk/api';
import { parseAllDocuments } from 'yaml';
import { CairnError, errorMessage } from '../../errors.ts';
import { resolvePipeline, resolvePipelineVersion } from '../api/resolve-names.ts';

/** How a run or a recurring run names its pipeline on the command line: a compiled file, or a stored pipeline. */
export interface PipelineSourceOptions {
  pipeline?: string;
  version?: string;
}

/** The pipeline fields of a run, and the pipeline's name for a default run name. */
export interface PipelineSource {
  fields:
    | { pipeline_spec: Record<string, unknown> }
    | { pipeline_version_reference: PipelineVersionReference };
  pipelineName: string;
}

/** A pipeline file named on the command line; one that cannot be read is a usage error (exit 2). */
export async function readPipelineFile(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    throw new CairnError('CONFIG_INVALID', `cannot read the pipeline file ${file}: ${errorMessage(error)}`);
  }
}

/** A pipeline written with the TypeScript SDK, compiled on the fly, rather than a compiled spec. */
const PIPELINE_MODULE = /\.(?:[cm]?ts|[cm]?js)$/i;

async function compileModule(file: string): Promise<string> {
  // The SDK's compiler is imported only for a pipeline module: most runs name a compiled file or a stored pipeline.
  const { compile, loadPipelineModule } = await import('@cairn/sdk');
  try {
    const { target } = await loadPipelineModule(file);
    return compile(target);
  } catch (error) {
    throw new CairnError('PIPELINE_INVALID', `cannot compile ${file}: ${errorMessage(error)}`, {
      cause: error,
    });
  }
}

/**
 * A pipeline file as the inline `pipeline_spec` of a run: the PipelineSpec, or, when a
 * PlatformSpec document follows it, KFP's `{pipeline_spec, platform_spec}`. The server validates it.
 */
async function inlineSpec(file: string): Promise<PipelineSource> {
  const text = PIPELINE_MODULE.test(file)
    ? await compileModule(file)
    : (await readPipelineFile(file)).toString('utf8');
  const documents = parseAllDocuments(text);
  const objects: Record<string, unknown>[] = [];
  for (const document of Array.isArray(documents) ? documents : [documents]) {
    const [problem] = document.errors;
    if (problem) throw new CairnError('PIPELINE_INVALID', `${file} is not YAML or JSON: ${problem.message}`);
    const value: unknown = document.toJS();
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw new CairnError(
        'PIPELINE_INVALID',
        `${file} is not a compiled pipeline: a document is not an object`,
      );
    }
    objects.push(value as Record<string, unknown>);
  }
  const [spec, platform] = objects;
  if (spec === undefined) throw new CairnError('PIPELINE_INVALID', `${file} is empty`);
  const info = spec.pipelineInfo as { name?: unknown } | undefined;
  return {
    fields: {
      pipeline_spec: platform === undefined ? spec : { pipeline_spec: spec, platform_spec: platform },
    },
    pipelineName: typeof info?.name === 'string' ? info.name : 'pipeline',
  };
}

/** Exactly one of a file and `--pipeline`; `--version` only with `--pipeline`. */
export async function pipelineSource(
  client: CairnClient,
  file: string | undefined,
  options: PipelineSourceOptions,
): Promise<PipelineSource> {
  if (file !== undefined && options.pipeline !== undefined) {
    throw new CairnError('CONFIG_INVALID', 'give a pipeline file or --pipeline, not both');
  }
  if (options.version !== undefined && options.pipeline === undefined) {
    throw new CairnError('CONFIG_INVALID', '--version needs --pipeline');
  }
  if (file !== undefined) return inlineSpec(file);
  if (options.pipeline === undefined) {
    throw new CairnError('CONFIG_INVALID', 'no pipeline: give a compiled pipeline file or --pipeline NAME');
  }
  const pipeline = await resolvePipeline(client, options.pipeline);
  const version =
    options.version === undefined
      ? undefined
      : await resolvePipelineVersion(client, pipeline, options.version);
  return {
    fields: {
      pipeline_version_reference: {
        pipeline_id: pipeline.pipeline_id,
        ...(version === undefined ? {} : { pipeline_version_id: version.pipeline_version_id }),
      },
    },
    pipelineName: pipeline.name,
  };
}
