import type { ListRecurringRunsResponse, NewRecurringRun, RecurringRun } from '../models/recurring-runs.ts';
import { type HttpTransport, segment } from './http-transport.ts';
import { allPages, type ListOptions, listQuery } from './list-options.ts';

const COLLECTION = '/apis/v2beta1/recurringruns';

export interface ListRecurringRunsOptions extends ListOptions {
  experiment_id?: string;
  namespace?: string;
}

/** KFP's RecurringRunService: runs started on a cron or periodic schedule. */
export class RecurringRunsClient {
  readonly #http: HttpTransport;

  constructor(http: HttpTransport) {
    this.#http = http;
  }

  create(recurringRun: NewRecurringRun): Promise<RecurringRun> {
    return this.#http.json('POST', COLLECTION, { json: recurringRun });
  }

  get(recurringRunId: string): Promise<RecurringRun> {
    return this.#http.json('GET', `${COLLECTION}/${segment(recurringRunId)}`);
  }

  /** A page; its list is `recurringRuns`, as KFP names it on the wire. */
  list(options: ListRecurringRunsOptions = {}): Promise<ListRecurringRunsResponse> {
    return this.#http.json('GET', COLLECTION, {
      query: { ...listQuery(options), experiment_id: options.experiment_id, namespace: options.namespace },
    });
  }

  listAll(options: ListRecurringRunsOptions = {}): AsyncGenerator<RecurringRun> {
    return allPages(
      options,
      (page) => this.list(page),
      (page) => page.recurringRuns,
    );
  }

  async enable(recurringRunId: string): Promise<void> {
    await this.#http.json('POST', `${COLLECTION}/${segment(recurringRunId)}:enable`);
  }

  async disable(recurringRunId: string): Promise<void> {
    await this.#http.json('POST', `${COLLECTION}/${segment(recurringRunId)}:disable`);
  }

  /** The schedule goes; the runs it started stay. */
  async delete(recurringRunId: string): Promise<void> {
    await this.#http.json('DELETE', `${COLLECTION}/${segment(recurringRunId)}`);
  }
}
