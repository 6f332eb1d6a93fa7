// The insert journal keeps exactly the rows a transaction's inserts wrote, and gives up on anything it
// cannot account for row by row. On every dialect.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { type Kysely, sql } from 'kysely';
import { skipDuplicateKeys } from '../../src/engine/lineage/skip-duplicate-keys.ts';
import { InsertJournal } from '../../src/store/insert-journal.ts';
import { insertTogether } from '../../src/store/insert-together.ts';
import type { CairnDatabase } from '../../src/store/tables.ts';
import { experimentRow } from '../support/experiment-row.ts';
import { createMigratedDatabase, type MigratedDatabase } from '../support/migrated-database.ts';
import { dialectTargets } from '../support/test-databases.ts';

for (const { dialect, skip } of await dialectTargets()) {
  describe(`insert journal on ${dialect}`, { skip }, () => {
    let store: MigratedDatabase;
    let db: Kysely<CairnDatabase>;
    before(async () => {
      store = await createMigratedDatabase(dialect);
      db = store.db;
    });
    after(async () => {
      await store.close();
    });

    function journaled() {
      const journal = new InsertJournal();
      return { journal, db: db.withPlugin(journal) };
    }

    test('keeps the rows of plain inserts, in order, as written; reads leave it whole', async () => {
      const { journal, db: through } = journaled();
      const one = experimentRow(`one-${randomUUID()}`, 'first');
      const two = experimentRow(`two-${randomUUID()}`);
      const three = experimentRow(`three-${randomUUID()}`);
      await through.insertInto('experiments').values(one).execute();
      await through.selectFrom('experiments').selectAll().where('id', '=', one.id).execute();
      await through.insertInto('experiments').values([two, three]).execute();
      assert.deepEqual(journal.insertsOnlyInto(['experiments'])?.get('experiments'), [one, two, three]);
      assert.equal(journal.insertsOnlyInto(['pipelines']), undefined, 'an insert into a table not listed');
    });

    test('rows inserted together, in one statement where the database allows, are kept table by table', async () => {
      const { journal, db: through } = journaled();
      const parent = experimentRow(`parent-${randomUUID()}`);
      const pipeline = {
        id: randomUUID(),
        namespace: '',
        name: `pipeline-${randomUUID()}`,
        display_name: 'p',
        description: null,
        created_at: 1_700_000_000_000,
      };
      // The run references the experiment inserted beside it: the foreign key is checked at the end.
      const run = {
        id: randomUUID(),
        namespace: '',
        display_name: 'r',
        description: null,
        experiment_id: parent.id,
        pipeline_id: null,
        pipeline_version_id: null,
        pipeline_spec: null,
        runtime_config: '{}',
        service_account: null,
        recurring_run_id: null,
        state: 'RUNNING',
        error: null,
        storage_state: 'AVAILABLE',
        created_at: 1_700_000_000_000,
        scheduled_at: 1_700_000_000_000,
        started_at: 1_700_000_000_000,
        finished_at: null,
        updated_at: 1_700_000_000_000,
      };
      await insertTogether(through, store.dialect, [
        ['experiments', [parent]],
        ['pipelines', [pipeline]],
        ['runs', [run]],
      ]);
      const kept = journal.insertsOnlyInto(['experiments', 'pipelines', 'runs']);
      assert.deepEqual(kept?.get('experiments'), [parent]);
      assert.deepEqual(kept?.get('pipelines'), [pipeline]);
      assert.deepEqual(kept?.get('runs'), [run]);
      const stored = await db
        .selectFrom('runs')
        .select('experiment_id')
        .where('id', '=', run.id)
        .executeTakeFirst();
      assert.equal(stored?.experiment_id, parent.id);
      const orphan = { ...run, id: randomUUID(), experiment_id: randomUUID() };
      const other = { ...pipeline, id: randomUUID(), name: `other-${randomUUID()}` };
      await assert.rejects(
        insertTogether(db, store.dialect, [
          ['pipelines', [other]],
          ['runs', [orphan]],
        ]),
        'a run of an experiment that is nowhere is refused',
      );
    });

    test('an insert that fails is not kept', async () => {
      const { journal, db: through } = journaled();
      const row = experimentRow(`taken-${randomUUID()}`);
      await through.insertInto('experiments').values(row).execute();
      await assert.rejects(through.insertInto('experiments').values(row).execute());
      assert.deepEqual(journal.insertsOnlyInto(['experiments'])?.get('experiments'), [row]);
    });

    const spoilers: [string, (through: Kysely<CairnDatabase>) => Promise<unknown>][] = [
      [
        'an update',
        (through) =>
          through
            .updateTable('experiments')
            .set({ description: 'x' })
            .where('id', '=', randomUUID())
            .execute(),
      ],
      ['a delete', (through) => through.deleteFrom('experiments').where('id', '=', randomUUID()).execute()],
      [
        'an insert that may skip its row',
        (through) =>
          skipDuplicateKeys(
            through.insertInto('experiments').values(experimentRow(`skip-${randomUUID()}`)),
            store.dialect,
            'name',
          ).execute(),
      ],
      [
        'an insert of a value computed by the database',
        (through) =>
          through
            .insertInto('experiments')
            .values({ ...experimentRow(`computed-${randomUUID()}`), description: sql<string>`lower('X')` })
            .execute(),
      ],
      ['a raw statement', (through) => sql`select 1`.execute(through)],
    ];
    for (const [what, write] of spoilers) {
      test(`${what} spoils it`, async () => {
        const { journal, db: through } = journaled();
        await through
          .insertInto('experiments')
          .values(experimentRow(`before-${randomUUID()}`))
          .execute();
        await write(through);
        assert.equal(journal.insertsOnlyInto(['experiments']), undefined);
      });
    }
  });
}
