// Reading list parameters: what KFP's clients send is accepted, and everything else is refused with a
// message naming the parameter, the value and what would have been valid.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  EXPERIMENTS,
  type ListResource,
  PIPELINE_VERSIONS,
  PIPELINES,
  RECURRING_RUNS,
  RUNS,
} from '../../../src/api/listing/list-resources.ts';
import { encodePageToken, type PageToken } from '../../../src/api/listing/page-token.ts';
import { formatFilter } from '../../../src/api/listing/parse-filter.ts';
import { type ListRequest, parseListRequest } from '../../../src/api/listing/parse-list-request.ts';
import { formatSort } from '../../../src/api/listing/parse-sort.ts';
import { CairnError } from '../../../src/errors.ts';

const ID = '0b6f2b8e-5d1a-4c36-9a57-1f0d1c0e0001';
const filter = (...predicates: unknown[]) => JSON.stringify({ predicates });

function refusal(request: ListRequest, resource: ListResource = RUNS): string {
  try {
    parseListRequest(request, resource);
  } catch (error) {
    assert.ok(error instanceof CairnError, `not a CairnError: ${error}`);
    assert.equal(error.code, 'LIST_INVALID');
    return error.message;
  }
  assert.fail(`accepted: ${JSON.stringify(request)}`);
}

function token(overrides: Partial<PageToken> = {}): string {
  return encodePageToken({
    resource: 'runs',
    scope: '',
    sortBy: 'created_at asc',
    filter: undefined,
    after: { sortValue: 1_700_000_000_000, id: ID },
    totalSize: 10,
    ...overrides,
  });
}

const RUN_SORTS =
  'run_id, id, display_name, name, created_at, finished_at, scheduled_at, namespace, state, storage_state';
const RUN_KEYS =
  'run_id, id, display_name, name, created_at, finished_at, scheduled_at, description, namespace, ' +
  'experiment_id, state, storage_state, recurring_run_id';

describe('page_size', () => {
  test('absent, empty or 0 is 20; up to 200 is taken as sent, as a number or query text', () => {
    for (const pageSize of [undefined, '', 0, '0']) {
      assert.equal(parseListRequest({ page_size: pageSize }, RUNS).pageSize, 20);
    }
    assert.equal(parseListRequest({ page_size: 1 }, RUNS).pageSize, 1);
    assert.equal(parseListRequest({ page_size: '200' }, RUNS).pageSize, 200);
  });

  test('negative, above 200 or not a whole number is refused', () => {
    const expected = (shown: string) =>
      `page_size ${shown}: expected a whole number from 1 to 200, or 0 for the default (20)`;
    assert.equal(refusal({ page_size: -1 }), expected('-1'));
    assert.equal(refusal({ page_size: '-5' }), expected('"-5"'));
    assert.equal(refusal({ page_size: 201 }), expected('201'));
    assert.equal(refusal({ page_size: 2.5 }), expected('2.5'));
    assert.equal(refusal({ page_size: '1e2' }), expected('"1e2"'));
    assert.equal(refusal({ page_size: 'ten' }), expected('"ten"'));
    assert.equal(refusal({ page_size: Number.NaN }), expected('NaN'));
  });
});

describe('sort_by', () => {
  test("reads KFP's forms, any case and spacing; empty is created_at ascending", () => {
    const sorts: [string | undefined, string][] = [
      [undefined, 'created_at asc'],
      ['', 'created_at asc'],
      ['  ', 'created_at asc'],
      ['name', 'display_name asc'],
      ['Name ASC', 'display_name asc'],
      ['created_at\tdesc', 'created_at desc'],
      ['id desc', 'run_id desc'],
      ['finished_at desc', 'finished_at desc'],
    ];
    for (const [sortBy, canonical] of sorts) {
      assert.equal(formatSort(parseListRequest({ sort_by: sortBy }, RUNS).sort), canonical, String(sortBy));
    }
    assert.equal(
      formatSort(parseListRequest({ sort_by: 'last_run_created_at desc' }, EXPERIMENTS).sort),
      'last_run_created_at desc',
    );
  });

  test('a bad form, an unknown field or an unsortable one is refused with the sortable fields', () => {
    assert.equal(
      refusal({ sort_by: 'created_at desc now' }),
      'sort_by "created_at desc now": expected "field", "field asc" or "field desc", e.g. "created_at desc"',
    );
    assert.equal(
      refusal({ sort_by: 'created_at down' }),
      'sort_by "created_at down": expected "field", "field asc" or "field desc", e.g. "created_at desc"',
    );
    assert.equal(
      refusal({ sort_by: 'color' }),
      `sort_by "color": runs have no field "color"; sort runs by one of: ${RUN_SORTS}`,
    );
    assert.equal(
      refusal({ sort_by: 'description desc' }),
      `sort_by "description desc": description can be filtered on but not sorted by; sort runs by one of: ${RUN_SORTS}`,
    );
    assert.equal(
      refusal({ sort_by: 'experiment_id' }),
      `sort_by "experiment_id": experiment_id can be filtered on but not sorted by; sort runs by one of: ${RUN_SORTS}`,
    );
    assert.equal(
      refusal({ sort_by: 'state' }, PIPELINE_VERSIONS),
      'sort_by "state": pipeline versions have no field "state"; sort pipeline versions by one of: ' +
        'pipeline_version_id, id, display_name, name, created_at',
    );
  });
});

describe('filter', () => {
  test("accepts protobuf JSON as KFP's server does: proto or JSON names, operation names or numbers", () => {
    const query = parseListRequest(
      {
        filter: JSON.stringify({
          predicates: [
            { key: 'name', operation: 'IS_SUBSTRING', string_value: '50%' },
            { key: 'state', operation: 8, stringValues: { values: ['FAILED', 'CANCELED'] } },
            { key: 'created_at', operation: 'GREATER_THAN', timestampValue: '2026-03-01T10:00:00.5+01:00' },
            { key: 'run_id', operation: 1, stringValue: ID.toUpperCase(), int_value: null },
            { key: 'experiment_id', operation: 'EQUALS', string_value: '' },
          ],
        }),
      },
      RUNS,
    );
    assert.deepEqual(formatFilter(query.predicates), {
      predicates: [
        { key: 'display_name', operation: 'IS_SUBSTRING', string_value: '50%' },
        { key: 'state', operation: 'IN', string_values: { values: ['FAILED', 'CANCELED'] } },
        { key: 'created_at', operation: 'GREATER_THAN', timestamp_value: '2026-03-01T09:00:00.500Z' },
        { key: 'run_id', operation: 'EQUALS', string_value: ID },
        { key: 'experiment_id', operation: 'EQUALS', string_value: '' },
      ],
    });
  });

  test('an empty filter, no predicates and null predicates all mean no filter', () => {
    for (const text of [undefined, '', '{}', '{"predicates": []}', '{"predicates": null}', '%7B%7D']) {
      assert.deepEqual(parseListRequest({ filter: text }, RUNS).predicates, [], String(text));
    }
  });

  test('URL-encoded JSON is decoded once; plain JSON keeps its "%" and "+"', () => {
    const json = filter({ key: 'name', operation: 'EQUALS', string_value: 'a+b 100%' });
    for (const text of [json, encodeURIComponent(json), encodeURIComponent(json).replaceAll('%20', '+')]) {
      assert.deepEqual(formatFilter(parseListRequest({ filter: text }, RUNS).predicates)?.predicates, [
        { key: 'display_name', operation: 'EQUALS', string_value: 'a+b 100%' },
      ]);
    }
  });

  test('timestamps keep their nanoseconds and accept offsets, lowercase letters and old years', () => {
    const read = (value: string) =>
      formatFilter(
        parseListRequest(
          { filter: filter({ key: 'created_at', operation: 'LESS_THAN', timestamp_value: value }) },
          RUNS,
        ).predicates,
      )?.predicates[0]?.timestamp_value;
    assert.equal(read('2026-03-01T09:00:00.123456789Z'), '2026-03-01T09:00:00.123456789Z');
    assert.equal(read('2026-03-01t01:30:00-07:30'), '2026-03-01T09:00:00.000Z');
    assert.equal(read('2026-03-01T09:00:00.1z'), '2026-03-01T09:00:00.100Z');
    assert.equal(read('0001-01-01T00:00:00Z'), '0001-01-01T00:00:00.000Z');
    assert.equal(read('9999-12-31T23:59:59.999999999Z'), '9999-12-31T23:59:59.999999999Z');
  });

  const cases: [string, ListRequest | string, string][] = [
    [
      'broken JSON',
      '{"predicates": [',
      'filter "{\\"predicates\\": [": not valid JSON (Unexpected end of JSON input)',
    ],
    ['broken URL encoding', '%E0%A4%A', 'filter "%E0%A4%A": neither JSON nor URL-encoded JSON'],
    ['not an object', '[]', 'filter: expected a JSON object like {"predicates": [...]}; got []'],
    [
      'an unknown field',
      '{"predicate": []}',
      'filter: unknown field "predicate"; a filter has only "predicates"',
    ],
    [
      'predicates not a list',
      '{"predicates": {}}',
      'filter.predicates: expected an array of predicates; got {}',
    ],
    [
      'a predicate not an object',
      '{"predicates": [{"key": "state", "operation": "EQUALS", "string_value": "FAILED"}, 1]}',
      'filter.predicates[1]: expected an object with operation, key and a value; got 1',
    ],
    [
      "v1beta1's op",
      filter({ key: 'state', op: 'EQUALS', string_value: 'x' }),
      'filter.predicates[0]: unknown field "op" ("op" is v1beta1\'s name; v2beta1 calls it "operation"); ' +
        'a predicate has operation, key and one of int_value, long_value, string_value, timestamp_value, ' +
        'int_values, long_values, string_values',
    ],
    [
      'an unknown predicate field',
      filter({ key: 'state', operation: 'EQUALS', value: 'x' }),
      'filter.predicates[0]: unknown field "value"; a predicate has operation, key and one of int_value, ' +
        'long_value, string_value, timestamp_value, int_values, long_values, string_values',
    ],
    [
      'no operation',
      filter({ key: 'state', string_value: 'x' }),
      'filter.predicates[0]: operation is missing or OPERATION_UNSPECIFIED; expected one of EQUALS, ' +
        'NOT_EQUALS, GREATER_THAN, GREATER_THAN_EQUALS, LESS_THAN, LESS_THAN_EQUALS, IN, IS_SUBSTRING',
    ],
    [
      'OPERATION_UNSPECIFIED',
      filter({ key: 'state', operation: 0, string_value: 'x' }),
      'filter.predicates[0]: operation is missing or OPERATION_UNSPECIFIED; expected one of EQUALS, ' +
        'NOT_EQUALS, GREATER_THAN, GREATER_THAN_EQUALS, LESS_THAN, LESS_THAN_EQUALS, IN, IS_SUBSTRING',
    ],
    ...['"LIKE"', '"equals"', '4', '"1"'].map((shown): [string, string, string] => [
      `operation ${shown}`,
      `{"predicates": [{"key": "state", "operation": ${shown}, "string_value": "x"}]}`,
      `filter.predicates[0].operation: ${shown} is not an operation; expected one of EQUALS (1), ` +
        'NOT_EQUALS (2), GREATER_THAN (3), GREATER_THAN_EQUALS (5), LESS_THAN (6), LESS_THAN_EQUALS (7), ' +
        'IN (8), IS_SUBSTRING (9)',
    ]),
    [
      'no key',
      filter({ operation: 'EQUALS', string_value: 'x' }),
      `filter.predicates[0]: key is missing; filter runs on one of: ${RUN_KEYS}`,
    ],
    [
      'an unknown key',
      filter({ key: 'color', operation: 'EQUALS', string_value: 'x' }),
      `filter.predicates[0].key: runs have no field "color"; filter runs on one of: ${RUN_KEYS}`,
    ],
    [
      'a key in the wrong case',
      filter({ key: 'Display_Name', operation: 'EQUALS', string_value: 'x' }),
      `filter.predicates[0].key: runs have no field "Display_Name"; filter runs on one of: ${RUN_KEYS}`,
    ],
    [
      'no value',
      filter({ key: 'state', operation: 'EQUALS' }),
      'filter.predicates[0] (state EQUALS): no value; set string_value',
    ],
    [
      'no timestamp',
      filter({ key: 'created_at', operation: 'LESS_THAN', timestamp_value: null }),
      'filter.predicates[0] (created_at LESS_THAN): no value; set timestamp_value',
    ],
    [
      'two values',
      filter({ key: 'state', operation: 'EQUALS', string_value: 'x', stringValue: 'y' }),
      'filter.predicates[0] (state EQUALS): more than one value (string_value, stringValue); set exactly one',
    ],
    [
      'a string for a timestamp',
      filter({ key: 'created_at', operation: 'GREATER_THAN', string_value: '2024-01-01T00:00:00Z' }),
      'filter.predicates[0] (created_at GREATER_THAN): created_at is a timestamp; it takes timestamp_value ' +
        '(RFC 3339); got string_value',
    ],
    [
      'seconds for a timestamp',
      filter({ key: 'finished_at', operation: 'GREATER_THAN', long_value: '1700000000' }),
      'filter.predicates[0] (finished_at GREATER_THAN): finished_at is a timestamp; it takes timestamp_value ' +
        '(RFC 3339); got long_value',
    ],
    [
      'a timestamp for text',
      filter({ key: 'display_name', operation: 'EQUALS', timestamp_value: '2024-01-01T00:00:00Z' }),
      'filter.predicates[0] (display_name EQUALS): display_name is text; it takes string_value; got timestamp_value',
    ],
    [
      'a number for text',
      filter({ key: 'name', operation: 'EQUALS', int_value: 3 }),
      'filter.predicates[0] (display_name EQUALS): display_name is text; it takes string_value; got int_value',
    ],
    [
      'IN with one value',
      filter({ key: 'display_name', operation: 'IN', string_value: 'a' }),
      'filter.predicates[0] (display_name IN): IN takes a list of values (string_values {"values": [...]}); ' +
        'got string_value',
    ],
    [
      'EQUALS with a list',
      filter({ key: 'display_name', operation: 'EQUALS', string_values: { values: ['a'] } }),
      'filter.predicates[0] (display_name EQUALS): EQUALS compares with one value (string_value); lists are ' +
        'for IN; got string_values',
    ],
    [
      'IN with an empty list',
      filter({ key: 'display_name', operation: 'IN', string_values: { values: [] } }),
      'filter.predicates[0] (display_name IN): IN needs at least one value in string_values.values',
    ],
    [
      'IN with no list',
      filter({ key: 'display_name', operation: 'IN', string_values: {} }),
      'filter.predicates[0] (display_name IN): IN needs at least one value in string_values.values',
    ],
    [
      'IN with a misspelt list',
      filter({ key: 'display_name', operation: 'IN', string_values: { value: ['a'] } }),
      'filter.predicates[0] (display_name IN): string_values has an unknown field "value"; it has only "values"',
    ],
    [
      'IN with a number among strings',
      filter({ key: 'display_name', operation: 'IN', string_values: { values: ['a', 2] } }),
      'filter.predicates[0] (display_name IN): string_values.values[1] is 2; expected a string',
    ],
    [
      'IN with numbers',
      filter({ key: 'display_name', operation: 'IN', int_values: { values: [1] } }),
      'filter.predicates[0] (display_name IN): display_name is text; it takes string_values; got int_values',
    ],
    [
      'IN on a timestamp',
      filter({ key: 'created_at', operation: 'IN', long_values: { values: [1] } }),
      'filter.predicates[0] (created_at IN): created_at is a timestamp, which takes EQUALS, NOT_EQUALS, ' +
        'GREATER_THAN, GREATER_THAN_EQUALS, LESS_THAN, LESS_THAN_EQUALS, not IN',
    ],
    [
      'IS_SUBSTRING on an enum',
      filter({ key: 'state', operation: 'IS_SUBSTRING', string_value: 'RUN' }),
      'filter.predicates[0] (state IS_SUBSTRING): IS_SUBSTRING applies to text fields only (display_name, ' +
        'name, description, namespace); state is an enum',
    ],
    [
      'IS_SUBSTRING on a timestamp',
      filter({ key: 'created_at', operation: 'IS_SUBSTRING', string_value: '2024' }),
      'filter.predicates[0] (created_at IS_SUBSTRING): IS_SUBSTRING applies to text fields only (display_name, ' +
        'name, description, namespace); created_at is a timestamp',
    ],
    [
      'IS_SUBSTRING on an id',
      filter({ key: 'experiment_id', operation: 'IS_SUBSTRING', string_value: '0b6f' }),
      'filter.predicates[0] (experiment_id IS_SUBSTRING): IS_SUBSTRING applies to text fields only ' +
        '(display_name, name, description, namespace); experiment_id is an id',
    ],
    [
      'an order on ids',
      filter({ key: 'run_id', operation: 'GREATER_THAN', string_value: ID }),
      'filter.predicates[0] (run_id GREATER_THAN): run_id is an id, which takes EQUALS, NOT_EQUALS, IN, ' +
        'not GREATER_THAN',
    ],
    [
      "a state KFP's v2beta1 does not have",
      filter({ key: 'state', operation: 'EQUALS', string_value: 'Succeeded' }),
      'filter.predicates[0] (state EQUALS): string_value is "Succeeded"; state is one of PENDING, RUNNING, ' +
        'SUCCEEDED, SKIPPED, FAILED, CANCELING, CANCELED, PAUSED',
    ],
    [
      'an unknown storage state in a list',
      filter({ key: 'storage_state', operation: 'IN', string_values: { values: ['AVAILABLE', 'DELETED'] } }),
      'filter.predicates[0] (storage_state IN): string_values.values[1] is "DELETED"; storage_state is one ' +
        'of AVAILABLE, ARCHIVED',
    ],
    [
      'a number as string_value',
      filter({ key: 'display_name', operation: 'EQUALS', string_value: 5 }),
      'filter.predicates[0] (display_name EQUALS): string_value is 5; expected a string',
    ],
    ...[
      '2024-13-01T00:00:00Z',
      '2024-02-30T00:00:00Z',
      '2024-01-01 00:00:00Z',
      '2024-01-01T00:00:00',
      '2024-01-01T24:00:00Z',
      '2024-01-01T00:00:60Z',
      '2024-01-01T00:00:00.1234567891Z',
      '0000-12-31T00:00:00Z',
      '0001-01-01T00:00:00+00:01',
    ].map((value): [string, string, string] => [
      `timestamp ${value}`,
      filter({ key: 'created_at', operation: 'EQUALS', timestamp_value: value }),
      `filter.predicates[0] (created_at EQUALS): timestamp_value "${value}" is not an RFC 3339 timestamp ` +
        'like "2024-05-01T12:00:00Z"',
    ]),
    [
      'seconds as timestamp_value',
      filter({ key: 'created_at', operation: 'EQUALS', timestamp_value: 1700000000 }),
      'filter.predicates[0] (created_at EQUALS): timestamp_value 1700000000 is not an RFC 3339 timestamp ' +
        'like "2024-05-01T12:00:00Z"',
    ],
  ];
  for (const [name, request, message] of cases) {
    test(`refuses ${name}`, () => {
      assert.equal(refusal(typeof request === 'string' ? { filter: request } : request), message);
    });
  }

  test('tags.KEY on pipelines and versions: EQUALS on a string, a key a tag can have', () => {
    const tagged = (predicate: Record<string, unknown>, resource: ListResource = PIPELINES) =>
      refusal({ filter: filter(predicate) }, resource);
    const parsed = parseListRequest(
      { filter: filter({ key: 'tags.team', operation: 'EQUALS', string_value: 'ml' }) },
      PIPELINE_VERSIONS,
    ).predicates[0];
    assert.equal(parsed?.field.kind, 'tag');
    assert.equal(parsed?.field.name, 'tags.team');
    assert.equal(
      tagged({ key: 'tags.team', operation: 'NOT_EQUALS', string_value: 'ml' }),
      'filter.predicates[0] (tags.team NOT_EQUALS): tags.team is a tag, which takes EQUALS, not NOT_EQUALS',
    );
    assert.equal(
      tagged({ key: 'tags.team', operation: 'IN', string_values: { values: ['ml'] } }),
      'filter.predicates[0] (tags.team IN): tags.team is a tag, which takes EQUALS, not IN',
    );
    assert.equal(
      tagged({ key: 'tags.team', operation: 'EQUALS', int_value: 3 }),
      'filter.predicates[0] (tags.team EQUALS): tags.team is a tag; it takes string_value; got int_value',
    );
    assert.equal(
      tagged({ key: 'tags.', operation: 'EQUALS', string_value: 'ml' }),
      'filter.predicates[0].key: "tags." names no tag; expected tags.KEY',
    );
    assert.equal(
      tagged({ key: 'tags.a.b', operation: 'EQUALS', string_value: 'ml' }),
      `filter.predicates[0].key: "tags.a.b" names a tag key with a '.', which no tag has; expected tags.KEY`,
    );
    assert.equal(
      tagged({ key: `tags.${'k'.repeat(64)}`, operation: 'EQUALS', string_value: 'ml' }),
      `filter.predicates[0].key: "tags.${'k'.repeat(64)}" names a tag key of 64 characters; tag keys have ` +
        'at most 63; expected tags.KEY',
    );
    assert.equal(
      tagged({ key: 'tags.team', operation: 'EQUALS', string_value: 'ml' }, EXPERIMENTS),
      'filter.predicates[0].key: experiments have no field "tags.team"; filter experiments on one of: ' +
        'experiment_id, id, display_name, name, created_at, last_run_created_at, description, namespace, ' +
        'storage_state',
    );
    assert.match(
      tagged({ key: 'tag.team', operation: 'EQUALS', string_value: 'ml' }),
      /pipelines have no field "tag.team"; filter pipelines on one of: .*, namespace, tags.KEY \(a tag\)$/,
    );
  });

  test('each resource takes its own keys, with the aliases KFP keeps', () => {
    const keyed = (resource: ListResource, key: string) =>
      parseListRequest({ filter: filter({ key, operation: 'EQUALS', string_value: 'x' }) }, resource)
        .predicates[0]?.field.column;
    assert.equal(keyed(EXPERIMENTS, 'name'), 'display_name');
    assert.equal(keyed(RECURRING_RUNS, 'name'), 'display_name');
    assert.equal(keyed(PIPELINE_VERSIONS, 'name'), 'name');
    assert.equal(keyed(RECURRING_RUNS, 'id'), 'id');
    assert.match(
      refusal({ filter: filter({ key: 'state', operation: 'EQUALS', string_value: 'x' }) }, RECURRING_RUNS),
      /recurring runs have no field "state"; filter recurring runs on one of: recurring_run_id, id, display_name, name, created_at, updated_at, description$/,
    );
  });
});

describe('page_token', () => {
  test("alone, it continues the token's query; with the same query restated, too", () => {
    const tokenFilter = { predicates: [{ key: 'state', operation: 'EQUALS', string_value: 'FAILED' }] };
    const text = token({ sortBy: 'finished_at desc', filter: tokenFilter, after: { sortValue: 0, id: ID } });
    for (const request of [
      { page_token: text },
      { page_token: text, sort_by: 'FINISHED_AT desc', filter: JSON.stringify(tokenFilter) },
    ]) {
      const query = parseListRequest(request, RUNS);
      assert.equal(formatSort(query.sort), 'finished_at desc');
      assert.deepEqual(formatFilter(query.predicates), tokenFilter);
      assert.deepEqual(query.after, { sortValue: 0, id: ID });
    }
  });

  test('a token for another query, resource or scope is refused', () => {
    assert.equal(
      refusal({ page_token: token(), sort_by: 'created_at desc' }),
      'page_token: issued for sort_by "created_at asc" and no filter, but this request has sort_by ' +
        '"created_at desc" and no filter; send the first page\'s sort_by and filter with each page_token, or neither',
    );
    assert.equal(
      refusal({
        page_token: token(),
        filter: filter({ key: 'state', operation: 'EQUALS', string_value: 'FAILED' }),
      }),
      'page_token: issued for sort_by "created_at asc" and no filter, but this request has sort_by ' +
        '"created_at asc" and filter {"predicates":[{"key":"state","operation":"EQUALS","string_value":"FAILED"}]}; ' +
        "send the first page's sort_by and filter with each page_token, or neither",
    );
    assert.equal(
      refusal({ page_token: token({ resource: 'experiments' }) }),
      'page_token: issued for listing experiments, not runs; list again without page_token',
    );
    assert.equal(
      refusal({ page_token: token({ resource: 'tasks' }) }),
      'page_token: issued for listing "tasks", not runs; list again without page_token',
    );
    assert.equal(
      refusal({ page_token: token({ scope: 'pipeline-1' }) }),
      'page_token: issued for another list of runs (another parent, namespace or experiment); ' +
        'list again without page_token',
    );
  });

  test('a token that is not one of ours, or says what no request may, is refused', () => {
    const malformed = (text: string, reason: string) =>
      assert.equal(
        refusal({ page_token: text }),
        `page_token ${JSON.stringify(text)}: not a page token from this server (${reason}); ` +
          'list again without page_token to start from the first page',
      );
    const encode = (json: unknown) => Buffer.from(JSON.stringify(json)).toString('base64url');
    const good = { v: 1, r: 'runs', s: 'created_at asc', k: [1, ID] };
    malformed('not a token!', 'not base64url');
    malformed(`${token()}=`, 'not base64url');
    malformed(Buffer.from(JSON.stringify(good)).toString('base64'), 'not base64url');
    malformed(Buffer.from('hello').toString('base64url'), 'not JSON');
    malformed(encode([good]), 'not an object');
    malformed(encode({ ...good, x: 1 }), 'unknown part "x"');
    malformed(encode({ ...good, v: 2 }), 'version 2');
    malformed(encode({ ...good, r: 5 }), 'resource, scope or sort is not text');
    malformed(encode({ ...good, f: 'state' }), 'filter is not an object');
    malformed(encode({ ...good, k: [1] }), 'position is not [sort key, id]');
    malformed(encode({ ...good, k: [null, ID] }), 'position is not [sort key, id]');
    malformed(encode({ ...good, n: -1 }), 'total is not a count');
    malformed(encode({ ...good, n: '7' }), 'total is not a count');

    const inner = (overrides: Partial<PageToken>, reason: string) =>
      assert.equal(
        refusal({ page_token: token(overrides) }),
        `page_token: not a page token from this server (${reason}); list again without page_token to start ` +
          'from the first page',
      );
    inner(
      { after: { sortValue: 'yesterday', id: ID } },
      `its position ["yesterday","${ID}"] does not fit created_at`,
    );
    inner({ after: { sortValue: 1.5, id: ID } }, `its position [1.5,"${ID}"] does not fit created_at`);
    inner(
      { after: { sortValue: 1, id: "x' or 1=1" } },
      'its position [1,"x\' or 1=1"] does not fit created_at',
    );
    inner(
      { sortBy: 'run_id asc', after: { sortValue: 'x', id: ID } },
      `its position ["x","${ID}"] does not fit run_id`,
    );
    inner(
      { sortBy: 'color asc' },
      `its query does not hold: sort_by "color asc": runs have no field "color"; sort runs by one of: ${RUN_SORTS}`,
    );
    inner(
      {
        filter: {
          predicates: [{ key: 'display_name; drop table runs', operation: 'EQUALS', string_value: 'x' }],
        },
      },
      'its query does not hold: filter.predicates[0].key: runs have no field "display_name; drop table runs"; ' +
        `filter runs on one of: ${RUN_KEYS}`,
    );
  });

  test('the page size may change from page to page', () => {
    assert.equal(parseListRequest({ page_token: token(), page_size: 7 }, RUNS).pageSize, 7);
  });
});
