import { DatabaseSync } from 'node:sqlite';
import { isBusy } from './sqlite-dialect.ts';

/**
 * Whether some connection holds the SQLite file's write lock right now. SQLite gives it up when its
 * holder commits, rolls back or dies, so a lock held is a writer alive; asked without waiting.
 */
export function sqliteWriteLocked(file: string): boolean {
  const probe = new DatabaseSync(file, { timeout: 0 });
  try {
    probe.exec('begin immediate');
    probe.exec('rollback');
    return false;
  } catch (error) {
    if (isBusy(error)) return true;
    throw error;
  } finally {
    probe.close();
  }
}
