import type { Healthz } from '../models/healthz.ts';
import { ArtifactsClient } from './artifacts-client.ts';
import { ExperimentsClient } from './experiments-client.ts';
import { HttpTransport, type TransportOptions } from './http-transport.ts';
import { PipelinesClient } from './pipelines-client.ts';
import { RecurringRunsClient } from './recurring-runs-client.ts';
import { RunsClient } from './runs-client.ts';

export type CairnClientOptions = TransportOptions;

/**
 * A typed client of Cairn's REST API (KFP's v2beta1), over `fetch`. A failed operation throws
 * ApiRequestError (the server's `{code, message}`) or ServerUnreachableError (no server answered).
 *
 * @example
 * const client = new CairnClient({ baseUrl: 'http://127.0.0.1:8888' });
 * const pipeline = await client.pipelines.upload(await readFile('hello.yaml'), { file_name: 'hello.yaml' });
 * for await (const run of client.runs.listAll({ sort_by: 'created_at desc' })) console.log(run.state);
 */
export class CairnClient {
  readonly baseUrl: string;
  readonly experiments: ExperimentsClient;
  readonly pipelines: PipelinesClient;
  readonly runs: RunsClient;
  readonly recurringRuns: RecurringRunsClient;
  readonly artifacts: ArtifactsClient;
  readonly #http: HttpTransport;

  constructor(options: CairnClientOptions) {
    this.#http = new HttpTransport(options);
    this.baseUrl = this.#http.baseUrl;
    this.experiments = new ExperimentsClient(this.#http);
    this.pipelines = new PipelinesClient(this.#http);
    this.runs = new RunsClient(this.#http);
    this.recurringRuns = new RecurringRunsClient(this.#http);
    this.artifacts = new ArtifactsClient(this.#http);
  }

  /** The server's version and schema version; answers as soon as the server is up. */
  healthz(): Promise<Healthz> {
    return this.#http.json('GET', '/apis/v2beta1/healthz');
  }
}
