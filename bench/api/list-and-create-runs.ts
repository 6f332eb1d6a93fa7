/**
 * API speed on a large history: 100,000 runs seeded into SQLite and into PostgreSQL, then, over real HTTP
 * against the API server running in this process, the p50/p99 latency of ListRuns pages (sorted,
 * filtered, scoped to an experiment, walked with page tokens) and the rate of CreateRun from concurrent
 * clients. Goals: p99 under 20 ms a page, at least 500 runs created a second.
 *
 * Each figure has a baseline measured in the same run (see list-pages.ts and create-runs.ts): a page
 * against the keyset page query alone through Kysely (no count, no HTTP), with the HTTP floor (a healthz
 * round trip) and the total_size count(*) printed beside it; creation against bare INSERT transactions.
 *
 *   npm run bench:api [-- --runs 100000 --dialects sqlite,postgres --samples 400 --seconds 10 --clients 8]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { compile, containerComponent, Parameter, pipeline } from '@cairn/sdk';
import { parse as parseYaml } from 'yaml';
import { buildApiServer } from '../../packages/server/src/api/api-server.ts';
import { FsArtifactStore } from '../../packages/server/src/artifacts/fs-artifact-store.ts';
import { LATEST_SCHEMA_VERSION } from '../../packages/server/src/store/migrations/index.ts';
import { CAIRN_VERSION } from '../../packages/server/src/version.ts';
import { type BenchDialect, createBenchDatabase } from './bench-database.ts';
import { measureBareInserts, measureCreateRunsInWorker } from './create-runs.ts';
import type { Latency, Throughput } from './latency.ts';
import { type ListScenario, measureHealthz, measureScenario, type ScenarioFigures } from './list-pages.ts';
import { seedRuns } from './seed-runs.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '100000' },
    dialects: { type: 'string', default: 'sqlite,postgres' },
    samples: { type: 'string', default: '400' },
    seconds: { type: 'string', default: '10' },
    clients: { type: 'string', default: '8' },
  },
});
const runs = Number(values.runs);
const samples = Number(values.samples);
const seconds = Number(values.seconds);
const clients = Number(values.clients);
const dialects = values.dialects.split(',').map((name) => {
  if (name !== 'sqlite' && name !== 'postgres') throw new Error(`--dialects: unknown "${name}"`);
  return name as BenchDialect;
});
const warmup = Math.ceil(samples / 4);

const PAGE_GOAL_MS = 20;
const CREATE_GOAL_PER_SECOND = 500;

const SCENARIOS: readonly ListScenario[] = [
  { name: 'first page, default sort', pageSize: 20, pages: 1 },
  { name: 'created_at desc, pages 1-50', pageSize: 20, sortBy: 'created_at desc', pages: 50 },
  { name: 'created_at desc, 100 a page, pages 1-10', pageSize: 100, sortBy: 'created_at desc', pages: 10 },
  {
    name: 'state FAILED + name ~ "resnet", desc, pages 1-5',
    pageSize: 20,
    sortBy: 'created_at desc',
    predicates: [
      { key: 'state', operation: 'EQUALS', string_value: 'FAILED' },
      { key: 'display_name', operation: 'IS_SUBSTRING', string_value: 'resnet' },
    ],
    pages: 5,
  },
  {
    name: 'experiment_id (largest), desc, pages 1-10',
    pageSize: 20,
    sortBy: 'created_at desc',
    inExperiment: true,
    pages: 10,
  },
];

/** A one-task pipeline taking one parameter, as a client would submit it inline. */
function onePipeline(): string {
  const echo = containerComponent({
    name: 'echo',
    image: 'busybox',
    inputs: { word: Parameter.String },
    command: ({ inputs }) => ['echo', inputs.word],
  });
  return compile(
    pipeline({ name: 'bench-echo', inputs: { word: Parameter.String } }, ({ word }) => {
      echo({ word });
    }),
  );
}

interface DialectFigures {
  readonly dialect: BenchDialect;
  readonly healthz: Latency;
  readonly lists: readonly { scenario: ListScenario; figures: ScenarioFigures }[];
  readonly create: Throughput;
  readonly bare: Throughput;
}

const ms = (value: number) => value.toFixed(value < 10 ? 2 : 1);
const ratio = (value: number) => `${value.toFixed(1)}x`;

async function benchDialect(dialect: BenchDialect, specText: string): Promise<DialectFigures> {
  const database = await createBenchDatabase(dialect);
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-api-artifacts-'));
  try {
    const seeded = await seedRuns(database.db, database.dialect, { runs, specText });
    const largest = seeded.experiments[0];
    if (!largest) throw new Error('the seed made no experiments');
    console.log(
      `${dialect}: seeded ${seeded.runs} runs, ${seeded.historyRows} state-history rows in ` +
        `${seeded.seconds.toFixed(1)} s; largest experiment ${largest.runs} runs`,
    );
    const app = await buildApiServer(
      {
        db: database.db,
        dialect: database.dialect,
        artifactStore: new FsArtifactStore(path.join(scratch, 'artifacts')),
        version: CAIRN_VERSION,
        schemaVersion: LATEST_SCHEMA_VERSION,
      },
      { bodyLimitBytes: 32 * 1024 * 1024 },
    );
    const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const healthz = await measureHealthz(baseUrl, { samples, warmup });
      const target = { baseUrl, db: database.db, dialect: database.dialect, experimentId: largest.id };
      const lists = [];
      for (const scenario of SCENARIOS) {
        const figures = await measureScenario(target, scenario, { samples, warmup });
        lists.push({ scenario, figures });
        console.log(
          `${dialect}: ${scenario.name}: p50 ${ms(figures.http.p50)} ms, p99 ${ms(figures.http.p99)} ms ` +
            `(page query ${ms(figures.pageQuery.p50)} ms, count ${ms(figures.count.p50)} ms)`,
        );
      }
      const spec = parseYaml(specText) as Record<string, unknown>;
      // 100 calls a client before timing: with 4, the first seconds ran at two-thirds of the speed the
      // same code reached once the JIT had settled, and a 5 s window moved by a third between runs.
      const createOptions = { clients, seconds, warmup: 100 * clients };
      const bare = await measureBareInserts(
        database.db,
        database.dialect,
        { specText, experimentId: largest.id },
        createOptions,
      );
      const create = await measureCreateRunsInWorker(baseUrl, spec, createOptions);
      console.log(
        `${dialect}: CreateRun ${create.perSecond.toFixed(0)} runs/s (${create.completed} in ${seconds} s), ` +
          `bare inserts ${bare.perSecond.toFixed(0)} runs/s`,
      );
      return { dialect, healthz, lists, create, bare };
    } finally {
      await app.close();
    }
  } finally {
    await database.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

const specText = onePipeline();
const started = performance.now();
// The machine may be shared: its load says how far to trust a run's p99s.
const loadAtStart = os.loadavg()[0] ?? 0;
const results: DialectFigures[] = [];
for (const dialect of dialects) results.push(await benchDialect(dialect, specText));

console.log(
  `\nListRuns over HTTP, ${runs} runs, ${samples} sequential requests each after ${warmup} warm-up; ` +
    'baseline: the page query alone through Kysely (no count, no HTTP); ratio: p50 / baseline p50',
);
console.log(
  table(
    [
      'database',
      'operation',
      'p50 ms',
      'p99 ms',
      'goal',
      'baseline p50',
      'ratio',
      'count(*) p50',
      'healthz p50',
    ],
    results.flatMap(({ dialect, healthz, lists }) =>
      lists.map(({ scenario, figures }) => [
        dialect,
        `${scenario.name} (${scenario.pageSize})`,
        ms(figures.http.p50),
        ms(figures.http.p99),
        figures.http.p99 < PAGE_GOAL_MS ? `p99 < ${PAGE_GOAL_MS} ok` : `p99 < ${PAGE_GOAL_MS} MISSED`,
        ms(figures.pageQuery.p50),
        ratio(figures.http.p50 / figures.pageQuery.p50),
        ms(figures.count.p50),
        ms(healthz.p50),
      ]),
    ),
  ),
);
console.log(
  `\nCreateRun over HTTP, ${clients} clients for ${seconds} s, no worker; ` +
    'baseline: bare INSERT transactions (run, history, root task), same clients; ratio: baseline / Cairn',
);
console.log(
  table(
    ['database', 'runs/s', 'p50 ms', 'p99 ms', 'goal', 'baseline runs/s', 'ratio'],
    results.map(({ dialect, create, bare }) => [
      dialect,
      create.perSecond.toFixed(0),
      ms(create.latency.p50),
      ms(create.latency.p99),
      create.perSecond >= CREATE_GOAL_PER_SECOND
        ? `>= ${CREATE_GOAL_PER_SECOND} ok`
        : `>= ${CREATE_GOAL_PER_SECOND} MISSED`,
      bare.perSecond.toFixed(0),
      ratio(bare.perSecond / create.perSecond),
    ]),
  ),
);
console.log(
  `\ntotal ${((performance.now() - started) / 1000).toFixed(0)} s; load average ${loadAtStart.toFixed(1)} at the start, ` +
    `${(os.loadavg()[0] ?? 0).toFixed(1)} at the end (${os.cpus().length} cores)`,
);
