import { defineMigration } from '../migrator/migration.ts';

/**
 * KFP's v2beta1 pipelines and pipeline versions carry `tags`, user-defined key-value pairs (each key
 * and value at most 63 characters). Kept as a JSON object; null for none, which is every row written
 * before this migration.
 */
export default defineMigration(import.meta.url, {
  async up(m) {
    await m.addColumn('pipelines', 'tags', m.types.text);
    await m.addColumn('pipeline_versions', 'tags', m.types.text);
  },
  async down(m) {
    await m.dropColumn('pipeline_versions', 'tags');
    await m.dropColumn('pipelines', 'tags');
  },
});
