import type {
  ListPipelinesResponse,
  ListPipelineVersionsResponse,
  NewPipeline,
  NewPipelineAndVersion,
  NewPipelineVersion,
  Pipeline,
  PipelineVersion,
  Tags,
} from '../models/pipelines.ts';
import { type HttpTransport, segment } from './http-transport.ts';
import { allPages, type ListOptions, listQuery } from './list-options.ts';

const COLLECTION = '/apis/v2beta1/pipelines';

/** A compiled pipeline file's content: its text or its bytes. */
export type PipelineFile = string | Uint8Array | Blob;

export interface UploadPipelineOptions {
  /** The pipeline's unique name; by default the file's name without its extension. */
  name?: string;
  display_name?: string;
  description?: string;
  namespace?: string;
  /** The pipeline's tags (KFP puts an upload's tags on the pipeline, not its first version). */
  tags?: Tags;
  /** Where the pipeline's code lives, kept on its first version. */
  code_source_url?: string;
  /** The file name the server sees, which names the pipeline when `name` is not given. */
  file_name?: string;
}

export interface UploadPipelineVersionOptions {
  name?: string;
  display_name?: string;
  description?: string;
  /** The version's tags. */
  tags?: Tags;
  code_source_url?: string;
  file_name?: string;
}

/** An upload's query: KFP takes its tags as one JSON-encoded parameter. */
function uploadQuery({ tags, ...fields }: Omit<UploadPipelineOptions, 'file_name'>) {
  return { ...fields, ...(tags === undefined ? {} : { tags: JSON.stringify(tags) }) };
}

export interface ListPipelinesOptions extends ListOptions {
  namespace?: string;
}

/** KFP's multipart upload: the file in the field `uploadfile`. */
function uploadForm(file: PipelineFile, fileName: string): FormData {
  const form = new FormData();
  const blob = file instanceof Blob ? file : new Blob([file], { type: 'application/octet-stream' });
  form.append('uploadfile', blob, fileName);
  return form;
}

/** The versions of one pipeline (KFP's PipelineService, version operations). */
export class PipelineVersionsClient {
  readonly #http: HttpTransport;

  constructor(http: HttpTransport) {
    this.#http = http;
  }

  /** A version from its spec inline (`pipeline_spec`) or at a URL (`package_url`). */
  create(pipelineId: string, version: NewPipelineVersion): Promise<PipelineVersion> {
    return this.#http.json('POST', `${COLLECTION}/${segment(pipelineId)}/versions`, { json: version });
  }

  get(pipelineId: string, versionId: string): Promise<PipelineVersion> {
    return this.#http.json('GET', `${COLLECTION}/${segment(pipelineId)}/versions/${segment(versionId)}`);
  }

  list(pipelineId: string, options: ListOptions = {}): Promise<ListPipelineVersionsResponse> {
    return this.#http.json('GET', `${COLLECTION}/${segment(pipelineId)}/versions`, {
      query: listQuery(options),
    });
  }

  listAll(pipelineId: string, options: ListOptions = {}): AsyncGenerator<PipelineVersion> {
    return allPages(
      options,
      (page) => this.list(pipelineId, page),
      (page) => page.pipeline_versions,
    );
  }

  async delete(pipelineId: string, versionId: string): Promise<void> {
    await this.#http.json('DELETE', `${COLLECTION}/${segment(pipelineId)}/versions/${segment(versionId)}`);
  }
}

/** KFP's PipelineService and its uploads. */
export class PipelinesClient {
  readonly #http: HttpTransport;
  readonly versions: PipelineVersionsClient;

  constructor(http: HttpTransport) {
    this.#http = http;
    this.versions = new PipelineVersionsClient(http);
  }

  /** A pipeline without versions. */
  create(pipeline: NewPipeline): Promise<Pipeline> {
    return this.#http.json('POST', COLLECTION, { json: pipeline });
  }

  /** A pipeline and its first version, in one transaction. */
  createWithVersion(body: NewPipelineAndVersion): Promise<Pipeline> {
    return this.#http.json('POST', `${COLLECTION}/create`, { json: body });
  }

  /** A pipeline from a compiled file (YAML or JSON), as `kfp.Client().upload_pipeline` sends it. */
  upload(file: PipelineFile, options: UploadPipelineOptions = {}): Promise<Pipeline> {
    const { file_name = 'pipeline.yaml', ...fields } = options;
    return this.#http.json('POST', `${COLLECTION}/upload`, {
      query: uploadQuery(fields),
      form: uploadForm(file, file_name),
    });
  }

  /** A new version of a pipeline from a compiled file. */
  uploadVersion(
    pipelineId: string,
    file: PipelineFile,
    options: UploadPipelineVersionOptions = {},
  ): Promise<PipelineVersion> {
    const { file_name = 'pipeline.yaml', ...fields } = options;
    return this.#http.json('POST', `${COLLECTION}/upload_version`, {
      query: { ...uploadQuery(fields), pipelineid: pipelineId },
      form: uploadForm(file, file_name),
    });
  }

  get(pipelineId: string): Promise<Pipeline> {
    return this.#http.json('GET', `${COLLECTION}/${segment(pipelineId)}`);
  }

  getByName(name: string, options: { namespace?: string } = {}): Promise<Pipeline> {
    return this.#http.json('GET', `${COLLECTION}/names/${segment(name)}`, {
      query: { namespace: options.namespace },
    });
  }

  list(options: ListPipelinesOptions = {}): Promise<ListPipelinesResponse> {
    return this.#http.json('GET', COLLECTION, {
      query: { ...listQuery(options), namespace: options.namespace },
    });
  }

  listAll(options: ListPipelinesOptions = {}): AsyncGenerator<Pipeline> {
    return allPages(
      options,
      (page) => this.list(page),
      (page) => page.pipelines,
    );
  }

  /** With `cascade`, its versions go too; without, a pipeline that has versions is refused. */
  async delete(pipelineId: string, options: { cascade?: boolean } = {}): Promise<void> {
    await this.#http.json('DELETE', `${COLLECTION}/${segment(pipelineId)}`, {
      query: { cascade: options.cascade },
    });
  }
}
