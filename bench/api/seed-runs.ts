/**
 * Fills a migrated database with a run history shaped like a busy installation's: experiments of
 * uneven size, pipelines with a few versions each, and runs created over six months, mostly finished
 * (succeeded or failed), the newest still running, each with its state history. The data is the same
 * on every run of the benchmark (a seeded generator), so figures compare across runs.
 *
 * Rows go in as multi-row INSERTs, in transactions of a few thousand runs, in creation order (as a real
 * history is written, so the tables' physical order follows created_at as it would).
 */
import { createHash } from 'node:crypto';
import { type Insertable, type Kysely, sql } from 'kysely';
import type { StoreDialect } from '../../packages/server/src/store/dialects/store-dialect.ts';
import type {
  CairnDatabase,
  RunStateHistoryTable,
  RunsTable,
} from '../../packages/server/src/store/tables.ts';

export interface SeedOptions {
  readonly runs: number;
  /** The compiled spec stored by the pipeline versions and by the few runs submitted inline. */
  readonly specText: string;
}

export interface Seeded {
  /** Experiments, largest first. */
  readonly experiments: readonly { id: string; runs: number }[];
  readonly runs: number;
  readonly historyRows: number;
  readonly seconds: number;
}

/** Pipelines, by the display name their runs carry; the benchmark's substring filter looks for "resnet". */
const PIPELINES = [
  'Train ResNet50',
  'Train BERT base',
  'Nightly ETL',
  'Feature backfill',
  'Evaluate model',
  'Hyperparameter sweep',
  'Data validation',
  'Batch inference',
] as const;
const VARIANTS = ['baseline', 'lr=1e-3', 'lr=3e-4', 'large batch', 'ablation', 'rerun', 'smoke', 'canary'];
const EXPERIMENT_COUNT = 12;
const VERSIONS_PER_PIPELINE = 3;
/** One run in this many carries its spec inline instead of referencing a pipeline version. */
const INLINE_SPEC_EVERY = 100;
/** This share of the runs, the newest, are still RUNNING; of the others, this share failed. */
const RUNNING_SHARE = 0.01;
const FAILED_SHARE = 0.15;
const HISTORY_DAYS = 180;
const DAY_MS = 86_400_000;
const RUNS_PER_STATEMENT = 500;
const HISTORY_PER_STATEMENT = 2000;
const RUNS_PER_TRANSACTION = 10_000;

/** mulberry32: small, fast, and the same sequence for the same seed. */
export function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A version-4 UUID from the generator, so ids (and so the order of equal sort keys) repeat too. */
function uuidFrom(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ((Number.parseInt(hex[16] as string, 16) & 0x3) | 0x8).toString(16);
  const text = hex.join('');
  return `${text.slice(0, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}-${text.slice(16, 20)}-${text.slice(20)}`;
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

export async function seedRuns(
  db: Kysely<CairnDatabase>,
  dialect: StoreDialect,
  { runs, specText }: SeedOptions,
): Promise<Seeded> {
  const started = performance.now();
  const random = generator(20_240_501);
  const end = Date.UTC(2025, 5, 1);
  const begin = end - HISTORY_DAYS * DAY_MS;

  // Experiments of Zipf-like sizes: the first holds about a third of the runs, the last a few percent.
  const weights = Array.from({ length: EXPERIMENT_COUNT }, (_, index) => 1 / (index + 1));
  const totalWeight = weights.reduce((sum, weight) => sum + weight, 0);
  const cumulative = weights.map((_, index) =>
    weights.slice(0, index + 1).reduce((sum, weight) => sum + weight / totalWeight, 0),
  );
  const experiments = weights.map((_, index) => ({
    id: uuidFrom(random),
    name: `team-${String.fromCharCode(97 + index)} experiments`,
    runs: 0,
  }));
  const pipelines = PIPELINES.map((name, index) => ({
    id: uuidFrom(random),
    name,
    versions: Array.from({ length: VERSIONS_PER_PIPELINE }, (_, version) => ({
      id: uuidFrom(random),
      name: `v${version + 1}`,
      createdAt: begin - (VERSIONS_PER_PIPELINE - version) * DAY_MS + index,
    })),
  }));
  const specSha256 = createHash('sha256').update(specText).digest('hex');

  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('experiments')
      .values(
        experiments.map((experiment, index) => ({
          id: experiment.id,
          namespace: '',
          name: experiment.name,
          display_name: experiment.name,
          description: null,
          storage_state: 'AVAILABLE',
          created_at: begin - DAY_MS + index,
          last_run_created_at: end,
        })),
      )
      .execute();
    await trx
      .insertInto('pipelines')
      .values(
        pipelines.map((pipeline, index) => ({
          id: pipeline.id,
          namespace: '',
          name: pipeline.name.toLowerCase().replaceAll(' ', '-'),
          display_name: pipeline.name,
          description: null,
          created_at: begin - 4 * DAY_MS + index,
          tags: null,
        })),
      )
      .execute();
    await trx
      .insertInto('pipeline_versions')
      .values(
        pipelines.flatMap((pipeline) =>
          pipeline.versions.map((version) => ({
            id: version.id,
            pipeline_id: pipeline.id,
            name: version.name,
            display_name: version.name,
            description: null,
            spec: specText,
            spec_sha256: specSha256,
            spec_schema_version: '2.1.0',
            sdk_version: null,
            package_url: null,
            code_source_url: null,
            created_at: version.createdAt,
            tags: null,
          })),
        ),
      )
      .execute();
  });

  const step = (end - begin) / runs;
  const runningFrom = Math.floor(runs * (1 - RUNNING_SHARE));
  let historyRows = 0;
  for (let first = 0; first < runs; first += RUNS_PER_TRANSACTION) {
    const runRows: Insertable<RunsTable>[] = [];
    const historyBatch: Insertable<RunStateHistoryTable>[] = [];
    for (let index = first; index < Math.min(runs, first + RUNS_PER_TRANSACTION); index++) {
      const createdAt = Math.floor(begin + index * step + random() * step * 0.9);
      const draw = random();
      const experiment = experiments[cumulative.findIndex((bound) => draw <= bound)] ?? experiments[0];
      if (!experiment) throw new Error('no experiments');
      experiment.runs++;
      const pipeline = pick(random, pipelines);
      const version = pick(random, pipeline.versions);
      const inline = index % INLINE_SPEC_EVERY === INLINE_SPEC_EVERY - 1;
      const state = index >= runningFrom ? 'RUNNING' : random() < FAILED_SHARE ? 'FAILED' : 'SUCCEEDED';
      const startedAt = createdAt + 200 + Math.floor(random() * 3000);
      const finishedAt = state === 'RUNNING' ? null : startedAt + Math.floor(60_000 + random() * 3_600_000);
      const error =
        state === 'FAILED'
          ? `task ${pick(random, ['train', 'load-data', 'evaluate', 'export'])} failed: exit code ${1 + Math.floor(random() * 3)}`
          : null;
      const id = uuidFrom(random);
      const day = new Date(createdAt).toISOString().slice(0, 10);
      runRows.push({
        id,
        namespace: '',
        experiment_id: experiment.id,
        display_name: `${pipeline.name} ${pick(random, VARIANTS)} ${day} #${index + 1}`,
        description: random() < 0.1 ? 'started from the nightly schedule' : null,
        pipeline_id: inline ? null : pipeline.id,
        pipeline_version_id: inline ? null : version.id,
        pipeline_spec: inline ? specText : null,
        runtime_config: JSON.stringify({
          parameters: {
            learning_rate: pick(random, [0.01, 0.003, 0.001, 0.0003]),
            epochs: 5 + Math.floor(random() * 50),
            dataset: `gs://ml-data/datasets/${pick(random, ['imagenet', 'coco', 'squad', 'clicks'])}/v${1 + Math.floor(random() * 20)}`,
            seed: Math.floor(random() * 100_000),
          },
          pipeline_root: null,
        }),
        service_account: null,
        recurring_run_id: null,
        state,
        error,
        storage_state: random() < 0.02 ? 'ARCHIVED' : 'AVAILABLE',
        created_at: createdAt,
        scheduled_at: createdAt,
        started_at: startedAt,
        finished_at: finishedAt,
        updated_at: finishedAt ?? startedAt,
      });
      historyBatch.push(
        { run_id: id, seq: 1, state: 'PENDING', error: null, created_at: createdAt },
        { run_id: id, seq: 2, state: 'RUNNING', error: null, created_at: startedAt },
      );
      if (finishedAt !== null)
        historyBatch.push({ run_id: id, seq: 3, state, error, created_at: finishedAt });
    }
    await db.transaction().execute(async (trx) => {
      for (let at = 0; at < runRows.length; at += RUNS_PER_STATEMENT) {
        await trx
          .insertInto('runs')
          .values(runRows.slice(at, at + RUNS_PER_STATEMENT))
          .execute();
      }
      for (let at = 0; at < historyBatch.length; at += HISTORY_PER_STATEMENT) {
        await trx
          .insertInto('run_state_history')
          .values(historyBatch.slice(at, at + HISTORY_PER_STATEMENT))
          .execute();
      }
    });
    historyRows += historyBatch.length;
  }

  // PostgreSQL's autovacuum would analyze the table and set its visibility map (which index-only scans
  // need) some time after a bulk load; doing it now measures that steady state rather than whichever
  // moment autovacuum happened to reach. Cairn never runs ANALYZE on SQLite, so neither does the seed.
  if (dialect.name === 'postgres') await sql`vacuum analyze`.execute(db);

  return {
    experiments: experiments
      .map(({ id, runs: count }) => ({ id, runs: count }))
      .sort((left, right) => right.runs - left.runs),
    runs,
    historyRows,
    seconds: (performance.now() - started) / 1000,
  };
}
