import { defineMigration } from '../migrator/migration.ts';

/**
 * A recurring run fires each of its slots at most once, whatever crashes or concurrent schedulers do:
 * the run it fires carries the slot as `scheduled_at` (as KFP's runs carry their scheduled time), and
 * the database refuses a second run for the same slot. Runs outside a recurring run have no
 * `recurring_run_id`, and NULLs never collide in a unique index on any of the three databases.
 */
export default defineMigration(import.meta.url, {
  async up(m) {
    await m.createIndex('runs_recurring_slot_uq', 'runs', ['recurring_run_id', 'scheduled_at'], {
      unique: true,
    });
  },
  async down(m) {
    await m.dropIndex('runs_recurring_slot_uq', 'runs');
  },
});
