// The CLI's formatting and argument parsing, without a server: tables, -o json|yaml, durations,
// --param and --every, and the progress a --watch shows.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PipelineTaskDetail, Run } from '@cairn/sdk/api';
import { parse as parseYaml } from 'yaml';
import { everySeconds } from '../../src/cli/args/every-duration.ts';
import { collectParameter } from '../../src/cli/args/run-parameters.ts';
import { listOptionsFrom } from '../../src/cli/format/list-options.ts';
import { printData } from '../../src/cli/format/output-format.ts';
import { PrefixedLines } from '../../src/cli/format/prefixed-lines.ts';
import { formatTable } from '../../src/cli/format/table.ts';
import { formatDuration, formatTime } from '../../src/cli/format/values.ts';
import {
  failureReason,
  finalLine,
  progressBlock,
  progressOf,
  taskChanges,
} from '../../src/cli/watch/run-progress.ts';
import { captureOutput } from './support/cli-harness.ts';

const T0 = Date.parse('2024-05-01T09:00:00Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

function task(
  fields: Partial<PipelineTaskDetail> & { task_id: string; executor?: boolean },
): PipelineTaskDetail {
  const { executor = true, ...rest } = fields;
  return {
    run_id: 'r1',
    display_name: rest.task_id,
    create_time: at(0),
    state: 'PENDING',
    pod_name: `root/${rest.task_id}`,
    ...(executor ? { executor_detail: { main_job: `root/${rest.task_id}` } } : {}),
    ...rest,
  };
}

function run(fields: Partial<Run>, tasks: PipelineTaskDetail[]): Run {
  return {
    run_id: 'r1',
    display_name: 'nightly',
    storage_state: 'AVAILABLE',
    created_at: at(0),
    state: 'RUNNING',
    run_details: { task_details: tasks },
    ...fields,
  };
}

describe('tables', () => {
  test('columns are as wide as their widest cell; the last is not padded', () => {
    const lines = formatTable(
      [
        { id: 'a1', name: 'train', state: 'RUNNING' },
        { id: 'b22222', name: 'x', state: 'SUCCEEDED' },
      ],
      [
        { header: 'ID', value: (row) => row.id },
        { header: 'NAME', value: (row) => row.name },
        { header: 'STATE', value: (row) => row.state },
      ],
    );
    assert.deepEqual(lines, ['ID      NAME   STATE', 'a1      train  RUNNING', 'b22222  x      SUCCEEDED']);
  });

  test('a cell with newlines stays on its row; an empty list is just the headers', () => {
    assert.deepEqual(formatTable([{ text: 'two\nlines' }], [{ header: 'TEXT', value: (row) => row.text }]), [
      'TEXT',
      'two lines',
    ]);
    assert.deepEqual(formatTable([], [{ header: 'A', value: () => '' }]), ['A']);
  });
});

describe('-o json|yaml|table', () => {
  const data = [{ experiment_id: 'e1', display_name: 'training' }];
  for (const format of ['json', 'yaml', 'table'] as const) {
    test(format, () => {
      const output = captureOutput();
      printData(output, format, data, () => ['TABLE']);
      const { out } = output.result(0);
      if (format === 'json') assert.deepEqual(JSON.parse(out), data);
      if (format === 'yaml') assert.deepEqual(parseYaml(out), data);
      if (format === 'table') assert.equal(out, 'TABLE\n');
    });
  }
});

describe('values', () => {
  test('times to the second in UTC; the zero time and absent values are blank', () => {
    assert.equal(formatTime('2024-05-01T09:30:05.123Z'), '2024-05-01 09:30:05');
    assert.equal(formatTime('1970-01-01T00:00:00Z'), '');
    assert.equal(formatTime(undefined), '');
  });

  test('durations in their two largest units', () => {
    assert.equal(formatDuration(999), '0s');
    assert.equal(formatDuration(45_000), '45s');
    assert.equal(formatDuration(185_000), '3m05s');
    assert.equal(formatDuration(7_800_000), '2h10m');
    assert.equal(formatDuration(-5), '0s');
  });
});

describe('arguments', () => {
  test('--param values are JSON when they parse, strings otherwise', () => {
    let params: Record<string, unknown> = {};
    for (const pair of [
      'n=3',
      'lr=0.01',
      'ok=true',
      'list=[1,2]',
      'name=world',
      'eq=a=b',
      'empty=',
      'quoted="3"',
    ]) {
      params = collectParameter(pair, params);
    }
    assert.deepEqual(params, {
      n: 3,
      lr: 0.01,
      ok: true,
      list: [1, 2],
      name: 'world',
      eq: 'a=b',
      empty: '',
      quoted: '3',
    });
    assert.throws(() => collectParameter('novalue', {}), /expected name=value/);
    assert.throws(() => collectParameter('=x', {}), /expected name=value/);
  });

  test('--every takes units largest first', () => {
    assert.equal(everySeconds('30s'), 30);
    assert.equal(everySeconds('15m'), 900);
    assert.equal(everySeconds('1h30m'), 5400);
    assert.equal(everySeconds('1d'), 86_400);
    assert.throws(() => everySeconds('1 hour'), /expected a duration/);
    assert.throws(() => everySeconds('0s'), /no time at all/);
  });

  test('list options: --state and the like join the --filter predicates; --limit bounds the page', () => {
    assert.deepEqual(
      listOptionsFrom(
        {
          sort: 'created_at desc',
          limit: 5,
          filter: { predicates: [{ key: 'display_name', operation: 'IS_SUBSTRING', string_value: 'a' }] },
        },
        [{ key: 'state', operation: 'EQUALS', string_value: 'FAILED' }],
      ),
      {
        sort_by: 'created_at desc',
        page_size: 5,
        filter: {
          predicates: [
            { key: 'display_name', operation: 'IS_SUBSTRING', string_value: 'a' },
            { key: 'state', operation: 'EQUALS', string_value: 'FAILED' },
          ],
        },
      },
    );
    assert.deepEqual(listOptionsFrom({}), {});
  });
});

describe('watch progress', () => {
  const tasks = [
    task({ task_id: 'root', executor: false, pod_name: 'root', state: 'RUNNING' }),
    task({ task_id: 'prepare', state: 'SUCCEEDED', start_time: at(0), end_time: at(5) }),
    task({ task_id: 'train', state: 'RUNNING', start_time: at(10) }),
    task({ task_id: 'loop', executor: false, pod_name: 'root/for-loop-1', state: 'RUNNING' }),
    task({
      task_id: 'shard',
      display_name: 'shard',
      pod_name: 'root/for-loop-1/0/shard',
      state: 'RUNNING',
      start_time: at(60),
    }),
    task({ task_id: 'report', state: 'PENDING' }),
  ];

  test('counts only executor tasks, and lists the running ones with their elapsed time', () => {
    const current = run({}, tasks);
    const progress = progressOf(current, T0 + 65_000);
    assert.equal(progress.total, 4);
    assert.equal(progress.done, 1);
    assert.deepEqual(progressBlock(current, progress), [
      'run nightly (r1)  RUNNING  1/4 tasks done  elapsed 1m05s',
      '  train               RUNNING  55s',
      '  for-loop-1/0/shard  RUNNING  5s',
    ]);
  });

  test('plain output gets a line per task state change, once', () => {
    const seen = new Map();
    assert.deepEqual(taskChanges(run({}, tasks), seen, T0 + 65_000), [
      '+1m05s  prepare  SUCCEEDED',
      '+1m05s  train  RUNNING',
      '+1m05s  for-loop-1/0/shard  RUNNING',
      '+1m05s  report  PENDING',
    ]);
    assert.deepEqual(taskChanges(run({}, tasks), seen, T0 + 66_000), []);
    const failed = tasks.map((t) =>
      t.task_id === 'train'
        ? { ...t, state: 'FAILED' as const, error: { code: 2, message: 'out\nof memory', details: [] } }
        : t,
    );
    assert.deepEqual(taskChanges(run({}, failed), seen, T0 + 70_000), [
      '+1m10s  train  FAILED: out of memory',
    ]);
  });

  test('a finished run counts its time to finished_at', () => {
    const ended = run({ state: 'SUCCEEDED', finished_at: at(90) }, [
      task({ task_id: 'prepare', state: 'SUCCEEDED' }),
    ]);
    assert.equal(
      finalLine(ended, progressOf(ended, T0 + 500_000)),
      'run r1 SUCCEEDED after 1m30s (1/1 tasks done)',
    );
  });

  test("the reason a run failed: its error, else its first failed task's, else its state", () => {
    const failedTask = task({
      task_id: 'train',
      state: 'FAILED',
      error: { code: 2, message: 'exit code 3', details: [] },
    });
    assert.equal(
      failureReason(
        run({ state: 'FAILED', error: { code: 2, message: 'boom\nagain', details: [] } }, [failedTask]),
      ),
      'boom again',
    );
    assert.equal(failureReason(run({ state: 'FAILED' }, [failedTask])), 'task train failed: exit code 3');
    assert.equal(failureReason(run({ state: 'CANCELED' }, [])), 'the run ended CANCELED');
  });
});

test('prefixed lines keep whole lines together across chunks', () => {
  const output = captureOutput();
  const lines = new PrefixedLines('train | ', output);
  lines.write('hel');
  lines.write('lo\nwor');
  lines.write('ld\nlast');
  lines.end();
  assert.equal(output.result(0).out, 'train | hello\ntrain | world\ntrain | last\n');
});
