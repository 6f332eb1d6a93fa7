// Random filters, sorts and page sizes over the same 250 runs on every dialect: the pages, put end to
// end, are exactly the in-memory model's list, and every page reports the model's total.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import type { Kysely } from 'kysely';
import { RUNS } from '../../../src/api/listing/list-resources.ts';
import type { CairnDatabase } from '../../../src/store/tables.ts';
import { createMigratedDatabase, type MigratedDatabase } from '../../support/migrated-database.ts';
import { dialectTargets } from '../../support/test-databases.ts';
import {
  type ApiPredicate,
  expectedRunIds,
  NAMES,
  RUN_STATES,
  type Seeded,
  seedRuns,
  T0,
  walkPages,
} from './listing-fixtures.ts';

const COMPARISONS = [
  'EQUALS',
  'NOT_EQUALS',
  'GREATER_THAN',
  'GREATER_THAN_EQUALS',
  'LESS_THAN',
  'LESS_THAN_EQUALS',
];

const flipAsciiCase = (text: string, mask: number) =>
  [...text]
    .map((char, index) =>
      /[a-zA-Z]/.test(char) && (mask >> (index % 30)) & 1
        ? char === char.toLowerCase()
          ? char.toUpperCase()
          : char.toLowerCase()
        : char,
    )
    .join('');

/**
 * Text drawn from the stored names and descriptions (whole, cut, case-flipped) and from the characters
 * LIKE treats specially. Never ending in a space: MySQL's PAD SPACE collations ignore trailing spaces.
 */
const textArb = fc
  .oneof(
    fc.constantFrom(...NAMES, '', 'about run 4', 'team-a', 'team-b'),
    fc
      .tuple(fc.constantFrom(...NAMES, 'about run 7'), fc.nat(12), fc.nat(12), fc.nat())
      .map(([name, from, length, mask]) => flipAsciiCase(name.slice(from, from + length), mask)),
    fc.string({
      unit: fc.constantFrom('a', 'A', '%', '_', '!', '\\', '5', '0', ' ', '🪨', 'ü'),
      maxLength: 4,
    }),
  )
  .map((text) => text.trimEnd());

function predicateArb(seeded: Seeded): fc.Arbitrary<ApiPredicate> {
  const ids = [
    ...seeded.runs.slice(0, 5).map((run) => run.id),
    ...seeded.experimentIds,
    ...seeded.recurringRunIds,
  ];
  const idArb = fc.oneof(
    fc.constantFrom(...ids, '', 'nope'),
    fc.constantFrom(...ids).map((id) => id.toUpperCase()),
  );
  const instantArb = fc
    .tuple(fc.integer({ min: -2_000, max: 45_000 }), fc.constantFrom('', '0004', '999999', '5'), fc.boolean())
    .map(([offset, fraction, epoch]) =>
      // Digits after the milliseconds: instants between two of them.
      epoch ? '1970-01-01T00:00:00Z' : `${new Date(T0 + offset).toISOString().slice(0, -1)}${fraction}Z`,
    );
  const list = <T>(arb: fc.Arbitrary<T>) => fc.array(arb, { minLength: 1, maxLength: 4 });
  return fc.oneof(
    fc.record({
      key: fc.constantFrom('display_name', 'name', 'description', 'namespace'),
      operation: fc.constantFrom(...COMPARISONS, 'IS_SUBSTRING'),
      string_value: textArb,
    }),
    fc.record({
      key: fc.constantFrom('display_name', 'description'),
      operation: fc.constant('IN'),
      string_values: list(textArb).map((values) => ({ values })),
    }),
    fc.record({
      key: fc.constantFrom('created_at', 'finished_at', 'scheduled_at'),
      operation: fc.constantFrom(...COMPARISONS),
      timestamp_value: instantArb,
    }),
    fc.record({
      key: fc.constantFrom('run_id', 'experiment_id', 'recurring_run_id'),
      operation: fc.constantFrom('EQUALS', 'NOT_EQUALS'),
      string_value: idArb,
    }),
    fc.record({
      key: fc.constantFrom('experiment_id', 'recurring_run_id'),
      operation: fc.constant('IN'),
      string_values: list(idArb).map((values) => ({ values })),
    }),
    fc.record({
      key: fc.constant('state'),
      operation: fc.constantFrom('EQUALS', 'NOT_EQUALS'),
      string_value: fc.constantFrom(...RUN_STATES),
    }),
    fc.record({
      key: fc.constantFrom('state'),
      operation: fc.constant('IN'),
      string_values: list(fc.constantFrom(...RUN_STATES)).map((values) => ({ values })),
    }),
    fc.record({
      key: fc.constant('storage_state'),
      operation: fc.constantFrom('EQUALS', 'NOT_EQUALS'),
      string_value: fc.constantFrom('AVAILABLE', 'ARCHIVED'),
    }),
  );
}

const sortArb = fc
  .tuple(
    fc.constantFrom(
      ...RUNS.fields.filter((field) => field.sortable).flatMap((field) => [field.name, ...field.aliases]),
    ),
    fc.constantFrom('', ' asc', ' desc', ' DESC'),
  )
  .map(([key, direction]) => `${key}${direction}`);

const pageSizeArb = fc.oneof(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 13, max: 200 }));

for (const { dialect, skip } of await dialectTargets()) {
  describe(`random lists of runs on ${dialect}`, { skip }, () => {
    let store: MigratedDatabase;
    let db: Kysely<CairnDatabase>;
    let seeded: Seeded;

    before(async () => {
      store = await createMigratedDatabase(dialect);
      db = store.db;
      seeded = await seedRuns(db, 250);
    });
    after(async () => {
      await store.close();
    });

    test('the pages put end to end are the filtered, sorted runs', async () => {
      let tried = 0;
      let paged = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(predicateArb(seeded), { maxLength: 3 }),
          sortArb,
          pageSizeArb,
          fc.boolean(),
          async (predicates, sortBy, pageSize, restate) => {
            const request = {
              page_size: pageSize,
              sort_by: sortBy,
              filter: predicates.length ? JSON.stringify({ predicates }) : '',
            };
            const walk = await walkPages(
              store.dialect,
              RUNS,
              request,
              () => db.selectFrom('runs').selectAll(),
              { restate },
            );
            const expected = expectedRunIds(seeded.runs, predicates, sortBy);
            assert.deepEqual(walk.ids, expected);
            assert.ok(walk.totals.every((total) => total === expected.length));
            assert.ok(
              walk.pageSizes.every((size, index) => size === pageSize || index === walk.pageSizes.length - 1),
            );
            tried++;
            if (walk.pageSizes.length > 2) paged++;
          },
        ),
        { numRuns: 100 },
      );
      // The property means something only if many lists span several pages.
      assert.ok(paged > tried / 4, `${paged} of ${tried} lists had more than two pages`);
    });
  });
}
