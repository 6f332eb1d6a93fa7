import type { AnyDb, DialectName } from '../../store/dialects/store-dialect.ts';
import { type Row, rowBytes } from './row-values.ts';

/** Bound parameters one statement may carry: SQLite's SQLITE_MAX_VARIABLE_NUMBER, the protocols' 16 bits. */
export const PARAMETER_LIMITS: Readonly<Record<DialectName, number>> = {
  sqlite: 32_766,
  mysql: 65_535,
  postgres: 65_535,
};

/**
 * Values per statement at most. The MySQL driver sends a statement as text with its values quoted in, and
 * the server refuses packets over max_allowed_packet (16 MiB by default on MariaDB, 64 MiB on MySQL 8);
 * quoting can double the bytes of a value, so statements stay well under the smaller.
 */
export const MAX_STATEMENT_BYTES = 4 * 1024 * 1024;

export interface StatementLimits {
  readonly parameters: number;
  readonly bytes: number;
}

/**
 * Splits `rows` into the multi-row INSERTs that carry them: each within `limits.parameters` bound values
 * and about `limits.bytes` of values, keeping the rows' order. A row larger than `limits.bytes` goes alone.
 */
export function insertStatements(rows: readonly Row[], columns: number, limits: StatementLimits): Row[][] {
  const rowsPerStatement = Math.max(1, Math.floor(limits.parameters / Math.max(1, columns)));
  const statements: Row[][] = [];
  let current: Row[] = [];
  let bytes = 0;
  for (const row of rows) {
    const size = rowBytes(row);
    if (current.length > 0 && (current.length === rowsPerStatement || bytes + size > limits.bytes)) {
      statements.push(current);
      current = [];
      bytes = 0;
    }
    current.push(row);
    bytes += size;
  }
  if (current.length > 0) statements.push(current);
  return statements;
}

/**
 * Inserts rows (all with the same columns) in as few multi-row INSERTs as the dialect's limits allow, in
 * their order, so rows that reference earlier ones of the same table (a task's parent) find them. Run it
 * in a transaction to make the batch atomic.
 */
export async function insertRows(
  db: AnyDb,
  dialect: DialectName,
  table: string,
  rows: readonly Row[],
): Promise<void> {
  const first = rows[0];
  if (first === undefined) return;
  const limits = { parameters: PARAMETER_LIMITS[dialect], bytes: MAX_STATEMENT_BYTES };
  for (const statement of insertStatements(rows, Object.keys(first).length, limits)) {
    await db.insertInto(table).values(statement).execute();
  }
}
