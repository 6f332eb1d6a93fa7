import { sql } from 'kysely';
import { defineMigration } from '../migrator/migration.ts';

/**
 * Counts the attempts of a task that were lost rather than failed: their worker died and their lease
 * expired. Those must not use up the task's retries (a server kill must not fail a run), yet a task that
 * keeps taking its worker down must stop somewhere, so they are counted apart and capped.
 */
export default defineMigration(import.meta.url, {
  async up(m) {
    await m.addColumn('tasks', 'lost_attempts', sql`${m.types.integer} not null default 0`);
  },
  async down(m) {
    await m.dropColumn('tasks', 'lost_attempts');
  },
});
