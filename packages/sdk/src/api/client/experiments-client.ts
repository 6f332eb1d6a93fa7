import type { Experiment, ListExperimentsResponse, NewExperiment } from '../models/experiments.ts';
import { type HttpTransport, segment } from './http-transport.ts';
import { allPages, type ListOptions, listQuery } from './list-options.ts';

const COLLECTION = '/apis/v2beta1/experiments';

export interface ListExperimentsOptions extends ListOptions {
  namespace?: string;
}

/** KFP's ExperimentService. */
export class ExperimentsClient {
  readonly #http: HttpTransport;

  constructor(http: HttpTransport) {
    this.#http = http;
  }

  create(experiment: NewExperiment): Promise<Experiment> {
    return this.#http.json('POST', COLLECTION, { json: experiment });
  }

  get(experimentId: string): Promise<Experiment> {
    return this.#http.json('GET', `${COLLECTION}/${segment(experimentId)}`);
  }

  list(options: ListExperimentsOptions = {}): Promise<ListExperimentsResponse> {
    return this.#http.json('GET', COLLECTION, {
      query: { ...listQuery(options), namespace: options.namespace },
    });
  }

  listAll(options: ListExperimentsOptions = {}): AsyncGenerator<Experiment> {
    return allPages(
      options,
      (page) => this.list(page),
      (page) => page.experiments,
    );
  }

  async delete(experimentId: string): Promise<void> {
    await this.#http.json('DELETE', `${COLLECTION}/${segment(experimentId)}`);
  }

  async archive(experimentId: string): Promise<void> {
    await this.#http.json('POST', `${COLLECTION}/${segment(experimentId)}:archive`);
  }

  async unarchive(experimentId: string): Promise<void> {
    await this.#http.json('POST', `${COLLECTION}/${segment(experimentId)}:unarchive`);
  }
}
