import type { ListRunsResponse, NewRun, Run } from '../models/runs.ts';
import { type HttpTransport, segment } from './http-transport.ts';
import { allPages, type ListOptions, listQuery } from './list-options.ts';

const COLLECTION = '/apis/v2beta1/runs';

export interface ListRunsOptions extends ListOptions {
  experiment_id?: string;
  namespace?: string;
}

export interface ReadLogOptions {
  /** Keep the response open and stream what the task writes until it ends. */
  follow?: boolean;
  /** The byte of the log to start at, e.g. after a reconnection. */
  offset?: number;
  /** Which attempt's log, 1 for the first; the latest by default (a retried task keeps each). */
  attempt?: number;
  signal?: AbortSignal;
}

/** KFP's RunService, and Cairn's task logs. */
export class RunsClient {
  readonly #http: HttpTransport;

  constructor(http: HttpTransport) {
    this.#http = http;
  }

  /** A run of a pipeline version (`pipeline_version_reference`) or of an inline `pipeline_spec`. */
  create(run: NewRun): Promise<Run> {
    return this.#http.json('POST', COLLECTION, { json: run });
  }

  /** The run with `run_details.task_details`: every task, DAGs included, and its state. */
  get(runId: string): Promise<Run> {
    return this.#http.json('GET', `${COLLECTION}/${segment(runId)}`);
  }

  list(options: ListRunsOptions = {}): Promise<ListRunsResponse> {
    return this.#http.json('GET', COLLECTION, {
      query: { ...listQuery(options), experiment_id: options.experiment_id, namespace: options.namespace },
    });
  }

  listAll(options: ListRunsOptions = {}): AsyncGenerator<Run> {
    return allPages(
      options,
      (page) => this.list(page),
      (page) => page.runs,
    );
  }

  async delete(runId: string): Promise<void> {
    await this.#http.json('DELETE', `${COLLECTION}/${segment(runId)}`);
  }

  async archive(runId: string): Promise<void> {
    await this.#http.json('POST', `${COLLECTION}/${segment(runId)}:archive`);
  }

  async unarchive(runId: string): Promise<void> {
    await this.#http.json('POST', `${COLLECTION}/${segment(runId)}:unarchive`);
  }

  /** Stops the run's running tasks; it ends CANCELED. */
  async terminate(runId: string): Promise<void> {
    await this.#http.json('POST', `${COLLECTION}/${segment(runId)}:terminate`);
  }

  /** Runs a failed or canceled run's unfinished tasks again; the tasks that succeeded are kept. */
  async retry(runId: string): Promise<void> {
    await this.#http.json('POST', `${COLLECTION}/${segment(runId)}:retry`);
  }

  /**
   * A task's log as text, chunk by chunk as it arrives. With `follow`, the iteration lasts until the task
   * ends; a dropped connection throws ServerUnreachableError, and `offset` resumes where it stopped.
   *
   * @example
   * for await (const text of client.runs.readLog(runId, taskId, { follow: true })) process.stdout.write(text);
   */
  async *readLog(runId: string, taskId: string, options: ReadLogOptions = {}): AsyncGenerator<string> {
    const response = await this.#http.send(
      'GET',
      `${COLLECTION}/${segment(runId)}/tasks/${segment(taskId)}/logs`,
      {
        query: { follow: options.follow, offset: options.offset, attempt: options.attempt },
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      },
    );
    const decoder = new TextDecoder();
    for await (const bytes of this.#http.bytes(response)) {
      const text = decoder.decode(bytes, { stream: true });
      if (text !== '') yield text;
    }
    const rest = decoder.decode();
    if (rest !== '') yield rest;
  }
}
