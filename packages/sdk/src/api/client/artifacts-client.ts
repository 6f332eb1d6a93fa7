import type {
  Artifact,
  ArtifactView,
  ListArtifactsQuery,
  ListArtifactsResponse,
} from '../models/artifacts.ts';
import { type HttpTransport, segment } from './http-transport.ts';

const COLLECTION = '/apis/v2beta1/artifacts';

/** KFP's ListArtifactRequest (paged as ML Metadata pages, unlike the other lists), and Cairn's `run_id`. */
export type ListArtifactsOptions = ListArtifactsQuery;

/** Inclusive byte range, as in `Range: bytes=start-end`; without `end`, to the last byte. */
export interface DownloadRange {
  start: number;
  end?: number;
}

export interface DownloadOptions {
  range?: DownloadRange;
  /** For an artifact that is a directory: the file in it, relative to it. */
  path?: string;
  signal?: AbortSignal;
}

/** An artifact's content on its way: the bytes as they arrive, and what the headers said about them. */
export interface ArtifactDownload {
  readonly body: AsyncIterable<Uint8Array>;
  /** Bytes in `body`, when the server said. */
  readonly contentLength?: number;
  readonly contentType?: string;
  /** The file name the server suggests (Content-Disposition). */
  readonly fileName?: string;
  /** Only the range asked for (206). */
  readonly partial: boolean;
}

/** RFC 6266's `filename*=UTF-8''...` first, as it carries any name; `filename="..."` otherwise. */
function fileNameOf(disposition: string | null): string | undefined {
  if (disposition === null) return undefined;
  const extended = /filename\*=UTF-8''([^;]+)/i.exec(disposition)?.[1];
  if (extended !== undefined) {
    try {
      return decodeURIComponent(extended);
    } catch {
      // A malformed escape: the plain form below, if any.
    }
  }
  return /filename="([^"]*)"/i.exec(disposition)?.[1];
}

/** KFP's ArtifactService, and Cairn's download of an artifact's content. */
export class ArtifactsClient {
  readonly #http: HttpTransport;

  constructor(http: HttpTransport) {
    this.#http = http;
  }

  list(options: ListArtifactsOptions = {}): Promise<ListArtifactsResponse> {
    return this.#http.json('GET', COLLECTION, { query: { ...options } });
  }

  /** Every artifact, page after page. */
  async *listAll(options: ListArtifactsOptions = {}): AsyncGenerator<Artifact> {
    let pageOptions = options;
    for (;;) {
      const page = await this.list(pageOptions);
      yield* page.artifacts;
      if (!page.next_page_token) return;
      pageOptions = { ...pageOptions, next_page_token: page.next_page_token };
    }
  }

  /** With `view: 'DOWNLOAD'`, `download_url` says where `download` reads from. */
  get(artifactId: string, options: { view?: ArtifactView } = {}): Promise<Artifact> {
    return this.#http.json('GET', `${COLLECTION}/${segment(artifactId)}`, { query: { view: options.view } });
  }

  /**
   * The artifact's content, streamed, or a byte range of it.
   *
   * @example
   * const { body } = await client.artifacts.download(id);
   * await pipeline(Readable.from(body), createWriteStream('model.bin'));
   */
  async download(artifactId: string, options: DownloadOptions = {}): Promise<ArtifactDownload> {
    const { range } = options;
    const response = await this.#http.send('GET', `${COLLECTION}/${segment(artifactId)}:download`, {
      query: { path: options.path },
      ...(range === undefined ? {} : { headers: { range: `bytes=${range.start}-${range.end ?? ''}` } }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    const length = response.headers.get('content-length');
    const contentType = response.headers.get('content-type');
    const fileName = fileNameOf(response.headers.get('content-disposition'));
    return {
      body: this.#http.bytes(response),
      ...(length === null ? {} : { contentLength: Number(length) }),
      ...(contentType === null ? {} : { contentType }),
      ...(fileName === undefined ? {} : { fileName }),
      partial: response.status === 206,
    };
  }
}
