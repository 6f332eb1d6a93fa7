import type { FastifyReply, FastifyRequest } from 'fastify';
import type { MaintenanceWatch } from '../lifecycle/maintenance/maintenance-watch.ts';
import { GRPC } from './api-errors.ts';

const WRITES: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** What a refused client is told to wait: about how long an upgrade's step takes, not the whole upgrade. */
const RETRY_AFTER_SECONDS = 30;

/**
 * Answers every write to the API with 503 while the deployment is in maintenance (an upgrade drains it)
 * or while the database belongs to a newer Cairn; reads and healthz go on. Checked on arrival, before
 * the body is read: an upload is refused without being received.
 */
export function refuseWritesInMaintenance(maintenance: MaintenanceWatch) {
  // Returning the reply ends the request there (Fastify's way for an async hook that answers).
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    if (!WRITES.has(request.method) || !request.url.startsWith('/apis/')) return undefined;
    const current = await maintenance.current();
    if (current.mode === 'serving') return undefined;
    return reply
      .status(GRPC.UNAVAILABLE.http)
      .header('retry-after', String(RETRY_AFTER_SECONDS))
      .send({ code: GRPC.UNAVAILABLE.code, message: current.message, details: [] });
  };
}
