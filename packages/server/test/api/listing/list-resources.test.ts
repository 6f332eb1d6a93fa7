// The list declarations against KFP's field maps and Cairn's schema, and the resources other than runs
// listed page by page on every dialect.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Insertable, Kysely } from 'kysely';
import { applyListQuery } from '../../../src/api/listing/apply-list-query.ts';
import {
  EXPERIMENTS,
  findField,
  LIST_RESOURCES,
  type ListResource,
  PIPELINE_VERSIONS,
  PIPELINES,
  RECURRING_RUNS,
  RUNS,
} from '../../../src/api/listing/list-resources.ts';
import { parseListRequest } from '../../../src/api/listing/parse-list-request.ts';
import { CAIRN_TABLES, type CairnDatabase, type ColumnFacts } from '../../../src/store/tables.ts';
import { createMigratedDatabase, type MigratedDatabase } from '../../support/migrated-database.ts';
import { dialectTargets } from '../../support/test-databases.ts';
import { compareText, NAMES, T0, walkPages } from './listing-fixtures.ts';

/**
 * The keys of each model's APIToModelFieldMap in KFP (backend/src/apiserver/model/*.go), and those Cairn
 * leaves out because it has no column for them.
 */
const KFP_KEYS: [ListResource, string[], string[]][] = [
  [PIPELINES, ['id', 'pipeline_id', 'name', 'display_name', 'created_at', 'description', 'namespace'], []],
  [
    PIPELINE_VERSIONS,
    [
      'id',
      'pipeline_version_id',
      'name',
      'display_name',
      'created_at',
      'status',
      'description',
      'pipeline_spec',
    ],
    ['status', 'pipeline_spec'],
  ],
  [
    EXPERIMENTS,
    [
      'id',
      'experiment_id',
      'name',
      'display_name',
      'created_at',
      'last_run_created_at',
      'description',
      'namespace',
      'storage_state',
    ],
    [],
  ],
  [
    RUNS,
    [
      'run_id',
      'id',
      'display_name',
      'name',
      'created_at',
      'finished_at',
      'description',
      'scheduled_at',
      'storage_state',
      'status',
      'namespace',
      'experiment_id',
      'state',
      'state_history',
      'runtime_details',
      'recurring_run_id',
    ],
    ['status', 'state_history', 'runtime_details'],
  ],
  [
    RECURRING_RUNS,
    ['id', 'recurring_run_id', 'name', 'display_name', 'created_at', 'updated_at', 'description'],
    [],
  ],
];

const COLUMN_KINDS = {
  id: ['uuid'],
  string: ['name', 'text'],
  timestamp: ['timestamp'],
  enum: ['name'],
  tag: ['text'],
};

describe('list declarations', () => {
  test("each resource has KFP's keys, but for those Cairn has no column for, and no others", () => {
    assert.equal(LIST_RESOURCES.length, KFP_KEYS.length);
    for (const [resource, kfpKeys, leftOut] of KFP_KEYS) {
      const declared = resource.fields.flatMap((field) => [field.name, ...field.aliases]);
      assert.deepEqual(
        [...declared].sort(),
        kfpKeys.filter((key) => !leftOut.includes(key)).sort(),
        resource.name,
      );
      assert.equal(new Set(declared).size, declared.length, `${resource.name}: a name is declared twice`);
      assert.equal(resource.defaultSort.name, 'created_at');
    }
  });

  test('each field reads a column of its kind; sortable ones have a total order on every database', () => {
    for (const resource of LIST_RESOURCES) {
      const columns: Record<string, ColumnFacts> = CAIRN_TABLES[resource.table];
      assert.equal(columns[resource.idColumn]?.nullable, false);
      for (const field of resource.fields) {
        const column = columns[field.column];
        const where = `${resource.name}.${field.name}`;
        assert.ok(column, `${where}: no column ${field.column}`);
        assert.ok(
          COLUMN_KINDS[field.kind].includes(column.kind),
          `${where}: ${field.kind} on ${column.kind}`,
        );
        assert.equal(field.nullable, column.nullable, where);
        assert.equal(field.values.length > 0, field.kind === 'enum', `${where}: enum values`);
        if (field.sortable) {
          // NULL sorts as 0, which only a number column takes; MySQL sorts TEXT by a prefix only.
          assert.ok(!column.nullable || field.kind === 'timestamp', `${where}: sortable but nullable`);
          assert.notEqual(column.kind, 'text', `${where}: sortable TEXT`);
        }
      }
    }
  });
});

/** The model's order for a sort: by the column (NULL as 0), then id, both in the sort's direction. */
function sortedIds(resource: ListResource, rows: readonly { id: string }[], sortBy: string): string[] {
  const [name = 'created_at', direction = 'asc'] = sortBy.split(' ');
  const column = findField(resource, name)?.column ?? '';
  const sign = direction === 'desc' ? -1 : 1;
  return [...rows]
    .sort((a, b) => {
      const x = (a as Record<string, unknown>)[column] ?? 0;
      const y = (b as Record<string, unknown>)[column] ?? 0;
      const byKey =
        typeof x === 'number' && typeof y === 'number' ? x - y : compareText(String(x), String(y));
      return sign * (byKey !== 0 ? byKey : compareText(a.id, b.id));
    })
    .map((row) => row.id);
}

/** Tags for the i-th pipeline: none, an empty object's NULL, teams in two cases, odd keys and values. */
function pipelineTags(i: number): string | null {
  if (i % 5 === 0) return null;
  const tags: Record<string, string | number> = { team: i % 3 === 0 ? 'ML' : 'ml' };
  if (i % 2) tags.note = '';
  if (i % 4 === 1) tags['we"ird \\ key'] = 'x';
  if (i % 7 === 0) tags.count = 7;
  return JSON.stringify(tags);
}

for (const { dialect, skip } of await dialectTargets()) {
  describe(`listing pipelines, versions, experiments and recurring runs on ${dialect}`, { skip }, () => {
    let store: MigratedDatabase;
    let db: Kysely<CairnDatabase>;
    const pipelines: Insertable<CairnDatabase['pipelines']>[] = [];
    const versions: Insertable<CairnDatabase['pipeline_versions']>[] = [];
    const experiments: Insertable<CairnDatabase['experiments']>[] = [];
    const recurringRuns: Insertable<CairnDatabase['recurring_runs']>[] = [];

    before(async () => {
      store = await createMigratedDatabase(dialect);
      db = store.db;
      for (let i = 0; i < 30; i++) {
        pipelines.push({
          id: randomUUID(),
          namespace: i % 2 ? 'team-a' : '',
          name: `pipeline-${i}`,
          display_name: NAMES[i % NAMES.length] ?? '',
          description: i % 3 ? null : 'nightly training',
          created_at: T0 + (i % 4),
          tags: pipelineTags(i),
        });
      }
      await db.insertInto('pipelines').values(pipelines).execute();
      for (let i = 0; i < 70; i++) {
        versions.push({
          id: randomUUID(),
          pipeline_id: (i < 60 ? pipelines[0]?.id : pipelines[1]?.id) ?? '',
          name: `v${i}`,
          display_name: NAMES[i % NAMES.length] ?? '',
          description: null,
          spec: '{}',
          spec_sha256: '0'.repeat(64),
          created_at: T0 + (i % 6),
          tags: i % 4 === 0 ? JSON.stringify({ stage: i % 8 === 0 ? 'prod' : 'dev' }) : null,
        });
      }
      await db.insertInto('pipeline_versions').values(versions).execute();
      for (let i = 0; i < 45; i++) {
        experiments.push({
          id: randomUUID(),
          namespace: '',
          name: `experiment-${i}`,
          display_name: NAMES[i % NAMES.length] ?? '',
          storage_state: i % 4 ? 'AVAILABLE' : 'ARCHIVED',
          created_at: T0 + (i % 5),
          last_run_created_at: i % 3 ? null : T0 + (i % 7),
        });
      }
      await db.insertInto('experiments').values(experiments).execute();
      for (let i = 0; i < 30; i++) {
        recurringRuns.push({
          id: randomUUID(),
          display_name: NAMES[i % NAMES.length] ?? '',
          runtime_config: '{}',
          trigger_kind: 'CRON',
          cron_expression: '0 0 * * * *',
          created_at: T0 + (i % 3),
          updated_at: T0 + (i % 4),
        });
      }
      await db.insertInto('recurring_runs').values(recurringRuns).execute();
    });
    after(async () => {
      await store.close();
    });

    test('pipelines, by every sortable field, both ways', async () => {
      for (const sortBy of ['created_at', 'name desc', 'display_name', 'pipeline_id desc', 'namespace']) {
        const walk = await walkPages(store.dialect, PIPELINES, { page_size: 4, sort_by: sortBy }, () =>
          db.selectFrom('pipelines').selectAll(),
        );
        assert.deepEqual(walk.ids, sortedIds(PIPELINES, pipelines, sortBy), sortBy);
      }
      const described = await walkPages(
        store.dialect,
        PIPELINES,
        {
          filter: JSON.stringify({
            predicates: [{ key: 'description', operation: 'EQUALS', string_value: '' }],
          }),
        },
        () => db.selectFrom('pipelines').selectAll(),
      );
      assert.equal(described.ids.length, 20, 'a NULL description equals ""');
    });

    test("tags.KEY filters as KFP's: the tag's value, exactly; no tag or no tags never match", async () => {
      const byTags = async (resource: ListResource<'pipelines'>, ...predicates: object[]) =>
        (
          await walkPages(
            store.dialect,
            resource,
            { page_size: 3, filter: JSON.stringify({ predicates }) },
            () => db.selectFrom('pipelines').selectAll(),
          )
        ).ids.sort();
      const tagged = (test: (tags: Record<string, string>) => boolean) =>
        pipelines
          .filter((pipeline) => pipeline.tags != null && test(JSON.parse(pipeline.tags)))
          .map((pipeline) => pipeline.id)
          .sort();
      const tag = (key: string, value: string) => ({
        key: `tags.${key}`,
        operation: 'EQUALS',
        string_value: value,
      });
      const ml = await byTags(PIPELINES, tag('team', 'ml'));
      assert.deepEqual(
        ml,
        tagged((tags) => tags.team === 'ml'),
      );
      assert.ok(ml.length > 3, 'over more than one page');
      assert.deepEqual(
        await byTags(PIPELINES, tag('team', 'ML')),
        tagged((tags) => tags.team === 'ML'),
      );
      assert.deepEqual(await byTags(PIPELINES, tag('Team', 'ml')), []);
      // Keys a JSON path would have to quote, and an empty value.
      assert.deepEqual(
        await byTags(PIPELINES, tag('we"ird \\ key', 'x')),
        tagged((tags) => tags['we"ird \\ key'] === 'x'),
      );
      assert.deepEqual(
        await byTags(PIPELINES, tag('note', '')),
        tagged((tags) => tags.note === ''),
      );
      assert.deepEqual(await byTags(PIPELINES, tag('team', '')), []);
      // A number's digits are not a tag's value, should a tags column ever hold one.
      assert.deepEqual(await byTags(PIPELINES, tag('count', '7')), []);
      // ANDed with each other and with the fields' predicates.
      assert.deepEqual(
        await byTags(PIPELINES, tag('team', 'ml'), tag('note', ''), {
          key: 'namespace',
          operation: 'EQUALS',
          string_value: 'team-a',
        }),
        pipelines
          .filter((pipeline) => pipeline.namespace === 'team-a' && pipeline.tags != null)
          .filter((pipeline) => {
            const tags = JSON.parse(pipeline.tags ?? '{}');
            return tags.team === 'ml' && tags.note === '';
          })
          .map((pipeline) => pipeline.id)
          .sort(),
      );
      const [first] = pipelines;
      const prod = await walkPages(
        store.dialect,
        PIPELINE_VERSIONS,
        { page_size: 2, filter: JSON.stringify({ predicates: [tag('stage', 'prod')] }) },
        () =>
          db
            .selectFrom('pipeline_versions')
            .selectAll()
            .where('pipeline_id', '=', first?.id ?? ''),
        { scope: first?.id },
      );
      const expected = versions
        .filter((version) => version.pipeline_id === first?.id && version.tags === '{"stage":"prod"}')
        .map((version) => version.id);
      assert.deepEqual(prod.ids.sort(), expected.sort());
      assert.ok(prod.totals.every((total) => total === expected.length));
    });

    test("a pipeline's versions, scoped by the caller, and a token bound to that pipeline", async () => {
      const [first, second] = pipelines.map((pipeline) => pipeline.id);
      const ofFirst = versions.filter((version) => version.pipeline_id === first);
      for (const sortBy of ['created_at desc', 'name', 'display_name desc']) {
        const walk = await walkPages(
          store.dialect,
          PIPELINE_VERSIONS,
          { page_size: 11, sort_by: sortBy },
          () =>
            db
              .selectFrom('pipeline_versions')
              .selectAll()
              .where('pipeline_id', '=', first ?? ''),
          { scope: first },
        );
        assert.deepEqual(walk.ids, sortedIds(PIPELINE_VERSIONS, ofFirst, sortBy), sortBy);
        assert.ok(walk.totals.every((total) => total === 60));
      }
      const page = await walkPages(
        store.dialect,
        PIPELINE_VERSIONS,
        {},
        () =>
          db
            .selectFrom('pipeline_versions')
            .selectAll()
            .where('pipeline_id', '=', second ?? ''),
        { scope: second },
      );
      assert.equal(page.ids.length, 10);
      const query = parseListRequest({ page_size: 5 }, PIPELINE_VERSIONS, { scope: first });
      const { nextPageToken } = await applyListQuery(
        db
          .selectFrom('pipeline_versions')
          .selectAll()
          .where('pipeline_id', '=', first ?? ''),
        query,
        store.dialect,
      );
      assert.throws(
        () => parseListRequest({ page_token: nextPageToken }, PIPELINE_VERSIONS, { scope: second }),
        /issued for another list of pipeline versions/,
      );
    });

    test('experiments by last_run_created_at: never-run ones sort as 0, first ascending, last descending', async () => {
      for (const sortBy of [
        'last_run_created_at',
        'last_run_created_at desc',
        'storage_state desc',
        'name',
      ]) {
        const walk = await walkPages(store.dialect, EXPERIMENTS, { page_size: 4, sort_by: sortBy }, () =>
          db.selectFrom('experiments').selectAll(),
        );
        assert.deepEqual(walk.ids, sortedIds(EXPERIMENTS, experiments, sortBy), sortBy);
      }
      const ascending = sortedIds(EXPERIMENTS, experiments, 'last_run_created_at');
      const neverRun = experiments.filter((experiment) => experiment.last_run_created_at === null).length;
      assert.ok(
        ascending
          .slice(0, neverRun)
          .every((id) => experiments.find((e) => e.id === id)?.last_run_created_at === null),
      );
      const archived = await walkPages(
        store.dialect,
        EXPERIMENTS,
        {
          filter: JSON.stringify({
            predicates: [{ key: 'storage_state', operation: 'NOT_EQUALS', string_value: 'ARCHIVED' }],
          }),
        },
        () => db.selectFrom('experiments').selectAll(),
      );
      assert.equal(archived.ids.length, 33);
    });

    test('recurring runs by update time', async () => {
      for (const sortBy of ['updated_at desc', 'created_at', 'recurring_run_id']) {
        const walk = await walkPages(store.dialect, RECURRING_RUNS, { page_size: 7, sort_by: sortBy }, () =>
          db.selectFrom('recurring_runs').selectAll(),
        );
        assert.deepEqual(walk.ids, sortedIds(RECURRING_RUNS, recurringRuns, sortBy), sortBy);
      }
    });
  });
}
