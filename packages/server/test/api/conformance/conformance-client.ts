/**
 * An HTTP client that names operations by their swagger operationId: the swagger gives the method and the
 * path, every answer is checked against the swagger's schema for its status, and every call is recorded,
 * so the conformance test can say which operations were exercised and whether they all conformed.
 */
import type { KfpSwagger } from '../support/kfp-swagger.ts';

export interface OperationCall {
  /** The path template's parameters, e.g. `{ experiment_id: '...' }`. */
  readonly params?: Readonly<Record<string, string>>;
  readonly query?: Readonly<Record<string, string | number | boolean>>;
  /** Sent as JSON. */
  readonly body?: unknown;
  /** Sent as multipart/form-data instead of `body`. */
  readonly form?: FormData;
}

export interface OperationRecord {
  /** Every status the operation answered with, in order. */
  readonly statuses: number[];
  /** What did not conform: a status other than the scenario's, or a body off the swagger's schema. */
  readonly problems: string[];
}

export interface ConformanceClient {
  /**
   * Calls the operation and returns the parsed JSON answer; throws, after recording it, when the status
   * is not `expected` or the body does not fit the swagger.
   */
  // biome-ignore lint/suspicious/noExplicitAny: scenarios read whatever JSON came back.
  call(operationId: string, call?: OperationCall, expected?: number): Promise<any>;
  readonly records: ReadonlyMap<string, OperationRecord>;
}

export function conformanceClient(baseUrl: string, swagger: KfpSwagger): ConformanceClient {
  const records = new Map<string, OperationRecord>();
  return {
    records,
    async call(operationId, call = {}, expected = 200) {
      const operation = swagger.operation(operationId);
      const url = new URL(baseUrl + fillTemplate(operation.path, call.params ?? {}));
      for (const [name, value] of Object.entries(call.query ?? {})) url.searchParams.set(name, String(value));
      const response = await fetch(url, {
        method: operation.method,
        ...(call.form !== undefined
          ? { body: call.form }
          : call.body !== undefined
            ? { body: JSON.stringify(call.body), headers: { 'content-type': 'application/json' } }
            : {}),
      });
      const text = await response.text();
      const record = records.get(operationId) ?? { statuses: [], problems: [] };
      records.set(operationId, record);
      record.statuses.push(response.status);
      const where = `${operationId} (${operation.method} ${url.pathname}) answered ${response.status}`;
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        record.problems.push(`${where} with a body that is not JSON: ${text.slice(0, 200)}`);
        throw new Error(record.problems.at(-1));
      }
      const problems = [
        ...(response.status === expected ? [] : [`expected ${expected}; the body: ${text.slice(0, 500)}`]),
        ...swagger.check(operationId, response.status, body).map((problem) => `off the swagger: ${problem}`),
      ];
      if (problems.length > 0) {
        record.problems.push(`${where}: ${problems.join('; ')}`);
        throw new Error(record.problems.at(-1));
      }
      return body;
    },
  };
}

function fillTemplate(template: string, params: Readonly<Record<string, string>>): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`${template} needs the parameter ${name}`);
    return encodeURIComponent(value);
  });
}
