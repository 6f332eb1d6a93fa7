/** Rows of `lifecycle_audit` (migration 0007) for backups, restores and storage moves. */
import { randomUUID } from 'node:crypto';
import type { AnyDb } from '../../store/dialects/store-dialect.ts';

export const AUDIT_OUTCOME = { RUNNING: 'RUNNING', SUCCEEDED: 'SUCCEEDED', FAILED: 'FAILED' } as const;
export type AuditOutcome = (typeof AUDIT_OUTCOME)[keyof typeof AUDIT_OUTCOME];

export interface AuditEntry {
  operation: 'backup' | 'restore' | 'storage-move';
  actor: string | null;
  fromVersion: string | null;
  toVersion: string | null;
  outcome: AuditOutcome;
  details: object;
  startedAt: number;
  finishedAt: number | null;
}

/** Inserts the entry and returns its id. */
export async function insertAudit(db: AnyDb, entry: AuditEntry): Promise<string> {
  const id = randomUUID();
  await db
    .insertInto('lifecycle_audit')
    .values({
      id,
      operation: entry.operation,
      actor: entry.actor,
      from_version: entry.fromVersion,
      to_version: entry.toVersion,
      outcome: entry.outcome,
      details: JSON.stringify(entry.details),
      started_at: entry.startedAt,
      finished_at: entry.finishedAt,
    })
    .execute();
  return id;
}

export async function updateAudit(
  db: AnyDb,
  id: string,
  changes: { outcome?: AuditOutcome; details: object; finishedAt?: number },
): Promise<void> {
  await db
    .updateTable('lifecycle_audit')
    .set({
      details: JSON.stringify(changes.details),
      ...(changes.outcome === undefined ? {} : { outcome: changes.outcome }),
      ...(changes.finishedAt === undefined ? {} : { finished_at: changes.finishedAt }),
    })
    .where('id', '=', id)
    .execute();
}
