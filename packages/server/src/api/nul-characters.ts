import type { FastifyRequest } from 'fastify';
import { ApiError, GRPC } from './api-errors.ts';

/**
 * Refuses a request with a NUL character in any string or key of its path parameters, query or JSON
 * body. PostgreSQL's text cannot hold one, and a value one database stores and another refuses would
 * break moving a deployment between them; so no database is given one.
 */
export async function refuseNulCharacters(request: FastifyRequest): Promise<void> {
  for (const [part, value] of [
    ['params', request.params],
    ['querystring', request.query],
    ['body', request.body],
  ] as const) {
    const where = nulAt(value, part);
    if (where !== undefined) {
      throw new ApiError(
        GRPC.INVALID_ARGUMENT,
        `${where} contains a NUL character (\\u0000); text sent to Cairn cannot hold one`,
      );
    }
  }
}

function nulAt(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = nulAt(item, `${path}[${index}]`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  for (const [key, item] of Object.entries(value)) {
    if (key.includes('\u0000')) return `${path} (a key)`;
    const found = nulAt(item, `${path}.${key}`);
    if (found !== undefined) return found;
  }
  return undefined;
}
