// Listing runs on every dialect: 250 runs whose creation times collide, walked page by page for every
// sort, every filter operation and the combinations, against an in-memory model of the same list.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Kysely } from 'kysely';
import { applyListQuery } from '../../../src/api/listing/apply-list-query.ts';
import { EXPERIMENTS, RUNS } from '../../../src/api/listing/list-resources.ts';
import { parseListRequest } from '../../../src/api/listing/parse-list-request.ts';
import type { CairnDatabase } from '../../../src/store/tables.ts';
import { createMigratedDatabase, type MigratedDatabase } from '../../support/migrated-database.ts';
import { dialectTargets } from '../../support/test-databases.ts';
import {
  type ApiPredicate,
  expectedRunIds,
  type RunRow,
  type Seeded,
  seedRuns,
  T0,
  walkPages,
} from './listing-fixtures.ts';

const RUN_COUNT = 250;
const filterText = (predicates: ApiPredicate[]) => JSON.stringify({ predicates });

for (const { dialect, skip } of await dialectTargets()) {
  describe(`listing runs on ${dialect}`, { skip }, () => {
    let store: MigratedDatabase;
    let db: Kysely<CairnDatabase>;
    let seeded: Seeded;
    let runs: RunRow[];

    before(async () => {
      store = await createMigratedDatabase(dialect);
      db = store.db;
      seeded = await seedRuns(db, RUN_COUNT);
      runs = seeded.runs;
    });
    after(async () => {
      await store.close();
    });

    const allRuns = () => db.selectFrom('runs').selectAll();

    /** Walks the pages and checks them against the model: every run once, in order, totals right. */
    async function checkWalk(sortBy: string, predicates: ApiPredicate[], pageSize: number, restate = false) {
      const request = {
        page_size: pageSize,
        sort_by: sortBy,
        filter: predicates.length ? filterText(predicates) : '',
      };
      const walk = await walkPages(store.dialect, RUNS, request, allRuns, { restate });
      const expected = expectedRunIds(runs, predicates, sortBy);
      const label = `${sortBy || '(default sort)'} ${filterText(predicates)} by ${pageSize}`;
      assert.deepEqual(walk.ids, expected, label);
      assert.equal(new Set(walk.ids).size, walk.ids.length, `${label}: a run appears twice`);
      assert.ok(
        walk.pageSizes.slice(0, -1).every((size) => size === pageSize),
        `${label}: a page before the last is short`,
      );
      assert.ok(
        walk.totals.every((total) => total === expected.length),
        `${label}: total_size`,
      );
      return walk;
    }

    test('every sort lists each run exactly once, in order, across pages', async () => {
      const sorts = [
        '',
        'created_at',
        'created_at desc',
        'CREATED_AT   DESC',
        'name',
        'display_name desc',
        'finished_at',
        'finished_at desc',
        'scheduled_at desc',
        'run_id',
        'id desc',
        'state desc',
        'storage_state',
        'namespace desc',
      ];
      for (const sortBy of sorts) await checkWalk(sortBy, [], 7);
      const whole = await checkWalk('created_at desc', [], 200);
      assert.deepEqual(whole.pageSizes, [200, 50]);
      const byDefault = await walkPages(store.dialect, RUNS, {}, allRuns);
      assert.equal(byDefault.pageSizes[0], 20, 'the default page size is 20');
      assert.deepEqual(byDefault.ids, expectedRunIds(runs, [], 'created_at'));
      await checkWalk('display_name', [], 1);
    });

    test('each operation filters as KFP does, on every kind of field', async () => {
      const [e0, e1] = seeded.experimentIds;
      const [r0] = seeded.recurringRunIds;
      const sample = runs[17] as RunRow;
      const filters: ApiPredicate[][] = [
        [{ key: 'display_name', operation: 'EQUALS', string_value: 'train' }],
        [{ key: 'name', operation: 'NOT_EQUALS', string_value: 'train' }],
        [{ key: 'display_name', operation: 'GREATER_THAN', string_value: 'eval' }],
        [{ key: 'display_name', operation: 'GREATER_THAN_EQUALS', string_value: 'eval_50%' }],
        [{ key: 'display_name', operation: 'LESS_THAN', string_value: 'b' }],
        [{ key: 'display_name', operation: 'LESS_THAN_EQUALS', string_value: 'a_b' }],
        [{ key: 'display_name', operation: 'IN', string_values: { values: ['a', 'ab', 'zz 1', 'none'] } }],
        [{ key: 'display_name', operation: 'IS_SUBSTRING', string_value: 'TRAIN' }],
        [{ key: 'display_name', operation: 'IS_SUBSTRING', string_value: '%' }],
        [{ key: 'display_name', operation: 'IS_SUBSTRING', string_value: '_5' }],
        [{ key: 'display_name', operation: 'IS_SUBSTRING', string_value: 'g!m' }],
        [{ key: 'display_name', operation: 'IS_SUBSTRING', string_value: 'k\\s' }],
        [{ key: 'display_name', operation: 'IS_SUBSTRING', string_value: 'E"D' }],
        [{ key: 'display_name', operation: 'IS_SUBSTRING', string_value: '🪨' }],
        [{ key: 'display_name', operation: 'IS_SUBSTRING', string_value: 'über' }],
        [{ key: 'description', operation: 'EQUALS', string_value: '' }],
        [{ key: 'description', operation: 'NOT_EQUALS', string_value: '' }],
        [{ key: 'description', operation: 'IS_SUBSTRING', string_value: '' }],
        [{ key: 'description', operation: 'IS_SUBSTRING', string_value: 'RUN 3' }],
        [{ key: 'description', operation: 'LESS_THAN', string_value: 'about run 4' }],
        [{ key: 'namespace', operation: 'EQUALS', string_value: '' }],
        [{ key: 'state', operation: 'EQUALS', string_value: 'SUCCEEDED' }],
        [{ key: 'state', operation: 'NOT_EQUALS', string_value: 'RUNNING' }],
        [{ key: 'state', operation: 'IN', string_values: { values: ['FAILED', 'CANCELED', 'PAUSED'] } }],
        [{ key: 'storage_state', operation: 'EQUALS', string_value: 'ARCHIVED' }],
        [{ key: 'run_id', operation: 'EQUALS', string_value: sample.id.toUpperCase() }],
        [{ key: 'id', operation: 'NOT_EQUALS', string_value: sample.id }],
        [{ key: 'run_id', operation: 'EQUALS', string_value: 'not-a-uuid' }],
        [{ key: 'run_id', operation: 'NOT_EQUALS', string_value: 'not-a-uuid' }],
        [{ key: 'experiment_id', operation: 'EQUALS', string_value: e0 as string }],
        [{ key: 'experiment_id', operation: 'EQUALS', string_value: '' }],
        [{ key: 'experiment_id', operation: 'NOT_EQUALS', string_value: e1 as string }],
        [{ key: 'experiment_id', operation: 'IN', string_values: { values: [e1 as string, ''] } }],
        [{ key: 'experiment_id', operation: 'IN', string_values: { values: ['nope'] } }],
        [{ key: 'recurring_run_id', operation: 'EQUALS', string_value: r0 as string }],
        [{ key: 'recurring_run_id', operation: 'NOT_EQUALS', string_value: r0 as string }],
        [{ key: 'created_at', operation: 'EQUALS', timestamp_value: new Date(T0 + 5000).toISOString() }],
        [{ key: 'created_at', operation: 'NOT_EQUALS', timestamp_value: new Date(T0 + 5000).toISOString() }],
        [{ key: 'created_at', operation: 'GREATER_THAN', timestamp_value: '2026-03-01T10:00:30+01:00' }],
        [{ key: 'created_at', operation: 'GREATER_THAN_EQUALS', timestamp_value: '2026-03-01T09:00:30Z' }],
        [{ key: 'created_at', operation: 'LESS_THAN', timestamp_value: '2026-03-01T09:00:30Z' }],
        [{ key: 'created_at', operation: 'LESS_THAN_EQUALS', timestamp_value: '2026-03-01T09:00:30Z' }],
        // Between two milliseconds: no row equals it, and each comparison is exact.
        [{ key: 'created_at', operation: 'EQUALS', timestamp_value: '2026-03-01T09:00:30.0000001Z' }],
        [{ key: 'created_at', operation: 'NOT_EQUALS', timestamp_value: '2026-03-01T09:00:30.0000001Z' }],
        [
          {
            key: 'created_at',
            operation: 'GREATER_THAN_EQUALS',
            timestamp_value: '2026-03-01T09:00:29.9999Z',
          },
        ],
        [{ key: 'created_at', operation: 'LESS_THAN', timestamp_value: '2026-03-01T09:00:30.0000001Z' }],
        [{ key: 'created_at', operation: 'LESS_THAN_EQUALS', timestamp_value: '2026-03-01T09:00:29.9995Z' }],
        [{ key: 'created_at', operation: 'GREATER_THAN', timestamp_value: '2026-03-01T09:00:29.9995Z' }],
        // KFP's unfinished runs have finished_at 0: before any real instant.
        [{ key: 'finished_at', operation: 'LESS_THAN', timestamp_value: '2026-03-01T09:00:10Z' }],
        [{ key: 'finished_at', operation: 'GREATER_THAN', timestamp_value: '1970-01-01T00:00:00Z' }],
        [{ key: 'finished_at', operation: 'EQUALS', timestamp_value: '1970-01-01T00:00:00Z' }],
        [{ key: 'scheduled_at', operation: 'GREATER_THAN_EQUALS', timestamp_value: '1960-01-01T00:00:00Z' }],
        [
          { key: 'state', operation: 'IN', string_values: { values: ['SUCCEEDED', 'FAILED'] } },
          { key: 'display_name', operation: 'IS_SUBSTRING', string_value: 'a' },
          { key: 'created_at', operation: 'GREATER_THAN', timestamp_value: '2026-03-01T09:00:05Z' },
          { key: 'storage_state', operation: 'NOT_EQUALS', string_value: 'ARCHIVED' },
        ],
      ];
      const sizes = new Set<number>();
      for (const predicates of filters) {
        const walk = await checkWalk('created_at desc', predicates, 13);
        sizes.add(walk.ids.length);
      }
      assert.ok(sizes.size > 20, 'the filters select sets of many different sizes');

      // Spot checks of the model itself, on properties stated plainly.
      const names = (predicates: ApiPredicate[]) =>
        new Set(
          expectedRunIds(runs, predicates, '').map((id) => runs.find((run) => run.id === id)?.display_name),
        );
      assert.deepEqual(
        names([{ key: 'name', operation: 'IS_SUBSTRING', string_value: '%' }]),
        new Set(['eval_50%', 'eval_50% 1', 'eval_50% 3']),
      );
      assert.deepEqual(
        names([{ key: 'name', operation: 'IS_SUBSTRING', string_value: '_5' }]),
        new Set(['eval_50%', 'eval_50% 1', 'eval_50% 3', 'eval_5x0', 'eval_5x0 1', 'eval_5x0 3']),
      );
      assert.equal(
        expectedRunIds(
          runs,
          [{ key: 'run_id', operation: 'EQUALS', string_value: sample.id.toUpperCase() }],
          '',
        ).length,
        1,
      );
    });

    test('filters combine with every sort, and with tokens sent alone or with the query', async () => {
      const predicates: ApiPredicate[] = [
        { key: 'state', operation: 'NOT_EQUALS', string_value: 'PENDING' },
        { key: 'display_name', operation: 'IS_SUBSTRING', string_value: 'a' },
      ];
      for (const sortBy of ['created_at', 'finished_at desc', 'display_name', 'state desc', 'run_id desc']) {
        await checkWalk(sortBy, predicates, 9, false);
        await checkWalk(sortBy, predicates, 9, true);
      }
    });

    test("total_size counts the filter and the caller's scoping, not the page", async () => {
      const query = parseListRequest(
        { page_size: 5, filter: filterText([{ key: 'state', operation: 'EQUALS', string_value: 'FAILED' }]) },
        RUNS,
        { scope: 'team-a' },
      );
      const page = await applyListQuery(allRuns().where('namespace', '=', 'team-a'), query, store.dialect);
      const expected = runs.filter((run) => run.state === 'FAILED' && run.namespace === 'team-a');
      assert.equal(page.totalSize, expected.length);
      assert.equal(page.rows.length, 5);
      // A first page holding every match is its own count.
      const whole = await applyListQuery(
        allRuns().where('namespace', '=', 'team-a'),
        {
          ...query,
          pageSize: expected.length,
        },
        store.dialect,
      );
      assert.equal(whole.nextPageToken, '');
      assert.equal(whole.totalSize, expected.length);
      assert.ok(page.rows.every((row) => row.namespace === 'team-a' && row.state === 'FAILED'));
      const scoped = await walkPages(
        store.dialect,
        RUNS,
        { page_size: 5 },
        () => allRuns().where('namespace', '=', 'team-a'),
        {
          scope: 'team-a',
        },
      );
      assert.deepEqual(
        scoped.ids,
        expectedRunIds(runs, [{ key: 'namespace', operation: 'EQUALS', string_value: 'team-a' }], ''),
      );

      // A token is bound to its scope: another namespace would start from a position it never had.
      assert.throws(
        () => parseListRequest({ page_token: page.nextPageToken }, RUNS, { scope: 'team-b' }),
        /page_token: issued for another list of runs/,
      );
      assert.throws(
        () => parseListRequest({ page_token: page.nextPageToken }, RUNS),
        /issued for another list/,
      );
    });

    test('rows come back as selected, without the keyset columns', async () => {
      const query = parseListRequest({ page_size: 3, sort_by: 'finished_at desc' }, RUNS);
      const page = await applyListQuery(
        db.selectFrom('runs').select(['id', 'display_name']),
        query,
        store.dialect,
      );
      assert.deepEqual(Object.keys(page.rows[0] ?? {}).sort(), ['display_name', 'id']);
      // The sort column need not be selected: the token carries the value the database sorted by.
      const next = await applyListQuery(
        db.selectFrom('runs').select(['id']),
        parseListRequest({ page_size: 3, page_token: page.nextPageToken }, RUNS),
        store.dialect,
      );
      assert.deepEqual(
        [...page.rows, ...next.rows].map((row) => row.id),
        expectedRunIds(runs, [], 'finished_at desc').slice(0, 6),
      );
    });

    test('keyset pages: rows added before the position neither repeat nor shift the next page', async () => {
      const first = await applyListQuery(allRuns(), parseListRequest({ page_size: 50 }, RUNS), store.dialect);
      const early = {
        ...(runs[0] as RunRow),
        id: randomUUID(),
        display_name: 'late arrival',
        created_at: T0 - 1,
      };
      await db
        .insertInto('runs')
        .values({
          ...early,
          runtime_config: '{}',
          updated_at: T0,
          scheduled_at: null,
          recurring_run_id: null,
        })
        .execute();
      try {
        const second = await applyListQuery(
          allRuns(),
          parseListRequest({ page_size: 50, page_token: first.nextPageToken }, RUNS),
          store.dialect,
        );
        const expected = expectedRunIds(runs, [], '');
        assert.deepEqual(
          second.rows.map((row) => row.id),
          expected.slice(50, 100),
        );
        // total_size is the first page's count, carried in the token rather than counted again.
        assert.equal(second.totalSize, RUN_COUNT);
        // A token from before 0.4.0 carries no count: its page counts, and sees the new run.
        const { n: _count, ...legacy } = JSON.parse(Buffer.from(first.nextPageToken, 'base64url').toString());
        const legacyPage = await applyListQuery(
          allRuns(),
          parseListRequest(
            { page_size: 50, page_token: Buffer.from(JSON.stringify(legacy)).toString('base64url') },
            RUNS,
          ),
          store.dialect,
        );
        assert.deepEqual(
          legacyPage.rows.map((row) => row.id),
          expected.slice(50, 100),
        );
        assert.equal(legacyPage.totalSize, RUN_COUNT + 1);
      } finally {
        await db.deleteFrom('runs').where('id', '=', early.id).execute();
      }
    });

    test("KFP's UI sends the filter URL-encoded once more; both forms read the same", async () => {
      const predicates: ApiPredicate[] = [{ key: 'name', operation: 'IS_SUBSTRING', string_value: '50%' }];
      const plain = await walkPages(store.dialect, RUNS, { filter: filterText(predicates) }, allRuns);
      const encoded = await walkPages(
        store.dialect,
        RUNS,
        { filter: encodeURIComponent(filterText(predicates)) },
        allRuns,
      );
      assert.deepEqual(plain.ids, expectedRunIds(runs, predicates, ''));
      assert.ok(plain.ids.length > 0);
      assert.deepEqual(encoded.ids, plain.ids);
    });

    test('a page token continues only the list it came from', async () => {
      const request = {
        page_size: 10,
        sort_by: 'name desc',
        filter: filterText([{ key: 'state', operation: 'EQUALS', string_value: 'RUNNING' }]),
      };
      const { nextPageToken } = await applyListQuery(
        allRuns(),
        parseListRequest(request, RUNS),
        store.dialect,
      );
      assert.notEqual(nextPageToken, '');
      // The same query restated, with an alias and another spelling of the sort: accepted.
      parseListRequest(
        {
          ...request,
          sort_by: 'DISPLAY_NAME desc',
          filter: request.filter.replace('"name"', '"display_name"'),
          page_token: nextPageToken,
        },
        RUNS,
      );
      assert.throws(
        () => parseListRequest({ ...request, sort_by: 'name', page_token: nextPageToken }, RUNS),
        {
          code: 'LIST_INVALID',
          message:
            'page_token: issued for sort_by "display_name desc" and filter ' +
            '{"predicates":[{"key":"state","operation":"EQUALS","string_value":"RUNNING"}]}, ' +
            'but this request has sort_by "display_name asc" and filter ' +
            '{"predicates":[{"key":"state","operation":"EQUALS","string_value":"RUNNING"}]}; ' +
            "send the first page's sort_by and filter with each page_token, or neither",
        },
      );
      assert.throws(
        () => parseListRequest({ sort_by: 'name desc', page_token: nextPageToken }, RUNS),
        /but this request has sort_by "display_name desc" and no filter/,
      );
      assert.throws(
        () => parseListRequest({ page_token: nextPageToken }, EXPERIMENTS),
        /^CairnError: page_token: issued for listing runs, not experiments; list again without page_token$/,
      );
    });
  });
}
