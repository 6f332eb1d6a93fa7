/**
 * A deployment to back up: the sample rows of every schema version (megabyte specs, 255-character names
 * outside the BMP), plus runs whose tasks nest four deep, whose artifacts live in the artifact store
 * (URIs under its URL, in artifact rows and in task and run JSON), with objects whose keys need pax
 * headers, an empty object and a large one.
 *
 * The generated rows are a function of the store's URL, so the rows a restore onto another store must
 * produce are the same function of the new URL: an oracle independent of the restore's own rewriting.
 */
import { createHash } from 'node:crypto';
import type { ArtifactStore } from '../../../../src/artifacts/artifact-store.ts';
import { COPY_TABLES } from '../../../../src/lifecycle/rows/copy-tables.ts';
import type { AnyDb } from '../../../../src/store/dialects/store-dialect.ts';
import { LATEST_SCHEMA_VERSION } from '../../../../src/store/migrations/index.ts';
import { SAMPLE_OBJECTS } from '../../../support/sample-objects.ts';
import { IDS, insertSampleRows } from '../../../support/sample-rows.ts';

export type Row = Record<string, string | number | null>;
export type Tables = Record<string, Row[]>;

const T0 = Date.UTC(2026, 10, 21, 9, 0, 0, 0);
const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** A UUID that sorts unlike its creation order, so no test passes by accident of insertion order. */
export function uuidFor(label: string): string {
  const hex = sha256(label);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export const SPECIAL_OBJECTS: { key: string; body: Buffer }[] = [
  // Longer than tar's 100-byte name field: a pax header carries it.
  { key: `long/${'segment-'.repeat(20)}end/output`, body: Buffer.from('long key') },
  { key: 'unicode/ÿ🪨-données/model', body: Buffer.from('unicode key') },
  { key: 'empty/object', body: Buffer.alloc(0) },
  { key: 'large/object', body: Buffer.alloc(1_500_000, 'abcdefghij') },
];

export interface GeneratedDeployment {
  rows: Tables;
  objects: Map<string, Buffer>;
}

export function generatedDeployment(storeUrl: string, runCount: number): GeneratedDeployment {
  const rows: Tables = Object.fromEntries(COPY_TABLES.map((table) => [table.name, [] as Row[]]));
  const add = (table: string, row: Row) => rows[table]?.push(row);
  const objects = new Map<string, Buffer>(SAMPLE_OBJECTS.map(({ key, body }) => [key, Buffer.from(body)]));
  for (const { key, body } of SPECIAL_OBJECTS) objects.set(key, body);
  for (let i = 0; i < runCount; i++) {
    const runId = uuidFor(`run ${i}`);
    const at = T0 + i * 1000;
    const running = i % 5 === 0;
    add('runs', {
      id: runId,
      namespace: '',
      experiment_id: IDS.experiment,
      display_name: `run ${i}`,
      description: i % 3 === 0 ? null : `run ${i}: ünïcödé ✓`,
      pipeline_id: IDS.pipeline,
      pipeline_version_id: IDS.version,
      pipeline_spec: null,
      runtime_config: JSON.stringify({ parameters: { i }, pipeline_root: i % 2 === 0 ? storeUrl : null }),
      service_account: null,
      recurring_run_id: null,
      state: running ? 'RUNNING' : 'SUCCEEDED',
      error: null,
      storage_state: 'AVAILABLE',
      created_at: at,
      scheduled_at: null,
      started_at: at + 1,
      finished_at: running ? null : at + 500,
      updated_at: at + 500,
    });
    for (const [seq, state] of ['PENDING', 'RUNNING', running ? null : 'SUCCEEDED'].entries()) {
      if (state !== null) {
        add('run_state_history', { run_id: runId, seq: seq + 1, state, error: null, created_at: at + seq });
      }
    }
    const key = `pipe/${runId}/train/model`;
    const uri = `${storeUrl}/${key}`;
    const body = Buffer.from(`model of run ${i}`);
    objects.set(key, body);
    const artifactId = uuidFor(`artifact ${i}`);
    const task = (path: string, parent: string | null, kind: string, extra: Row = {}): string => {
      const id = uuidFor(`task ${i} ${path}`);
      add('tasks', {
        id,
        run_id: runId,
        parent_task_id: parent === null ? null : uuidFor(`task ${i} ${parent}`),
        path,
        name: path.split('/').at(-1) ?? path,
        display_name: null,
        kind,
        iteration_index: null,
        state: running && kind !== 'CONTAINER' ? 'RUNNING' : 'SUCCEEDED',
        attempt: 1,
        max_attempts: 1,
        lost_attempts: 0,
        inputs: null,
        outputs: null,
        error: null,
        cache_fingerprint: null,
        cached_from_task_id: null,
        lease_token: null,
        lease_owner: null,
        lease_expires_at: null,
        heartbeat_at: null,
        ready_at: at,
        created_at: at,
        started_at: at + 1,
        finished_at: at + 400,
        updated_at: at + 400,
        ...extra,
      });
      return id;
    };
    task('root', null, 'DAG');
    task('root/loop', 'root', 'ITERATOR', {
      inputs: JSON.stringify({ parameters: {}, artifacts: {}, items: [0, 1] }),
    });
    task('root/loop/0', 'root/loop', 'ITERATION', { iteration_index: 0 });
    task('root/loop/1', 'root/loop', 'ITERATION', { iteration_index: 1 });
    const trainId = task('root/loop/0/train', 'root/loop/0', 'CONTAINER', {
      inputs: JSON.stringify({ parameters: { epochs: 3 }, artifacts: {} }),
      outputs: JSON.stringify({
        parameters: {},
        artifacts: { model: [{ artifactId, name: 'model', uri, storageKey: key, metadata: {} }] },
      }),
      cache_fingerprint: sha256(`fingerprint ${i}`),
    });
    add('artifacts', {
      id: artifactId,
      uri,
      uri_sha256: sha256(uri),
      type: 'system.Model',
      name: 'model',
      metadata: JSON.stringify({ display: uri }),
      content_sha256: sha256(body),
      size_bytes: body.length,
      state: 'LIVE',
      created_at: at + 400,
      updated_at: at + 400,
    });
    const executionId = uuidFor(`execution ${i}`);
    add('executions', {
      id: executionId,
      run_id: runId,
      task_id: trainId,
      type: 'system.ContainerExecution',
      name: 'train',
      state: 'COMPLETE',
      metadata: JSON.stringify({ image: 'busybox', log: `pipe/${runId}/train/.cairn-logs/0.log` }),
      created_at: at + 1,
      updated_at: at + 400,
    });
    add('events', {
      id: uuidFor(`event ${i}`),
      execution_id: executionId,
      artifact_id: artifactId,
      kind: 'OUTPUT',
      name: 'model',
      list_index: 0,
      created_at: at + 400,
    });
    const contextId = uuidFor(`context ${i}`);
    add('contexts', {
      id: contextId,
      type: 'system.PipelineRun',
      name: runId,
      metadata: null,
      created_at: at,
    });
    add('context_artifacts', { context_id: contextId, artifact_id: artifactId });
    add('context_executions', { context_id: contextId, execution_id: executionId });
  }
  return { rows, objects };
}

/** Inserts the sample rows of every schema version and the generated deployment, and stores its objects. */
export async function seedDeployment(db: AnyDb, store: ArtifactStore, runCount: number): Promise<void> {
  for (let version = 1; version <= LATEST_SCHEMA_VERSION; version++) await insertSampleRows(db, version);
  const { rows, objects } = generatedDeployment(store.url, runCount);
  for (const table of COPY_TABLES) {
    const list = rows[table.name] ?? [];
    for (let start = 0; start < list.length; start += 200) {
      await db
        .insertInto(table.name)
        .values(list.slice(start, start + 200))
        .execute();
    }
  }
  for (const [key, body] of objects) await store.put(key, body);
}

function keyOf(table: string, row: Row): string {
  const key = COPY_TABLES.find((copy) => copy.name === table)?.key ?? [];
  return JSON.stringify(key.map((column) => row[column]));
}

/** Every row of every Cairn table, sorted by key in JavaScript (databases collate text differently). */
export async function dumpTables(db: AnyDb): Promise<Tables> {
  const dump: Tables = {};
  for (const { name } of COPY_TABLES) {
    const rows = (await db.selectFrom(name).selectAll().execute()).map((row) => ({ ...row }) as Row);
    dump[name] = rows
      .map((row) => ({ row, key: keyOf(name, row) }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .map(({ row }) => row);
  }
  return dump;
}

/**
 * The rows a restore of `source` onto a store at `targetUrl` must produce: the generated rows as they
 * would have been written against that store, the rest as they were.
 */
export function expectedTables(source: Tables, targetUrl: string, runCount: number): Tables {
  const regenerated = generatedDeployment(targetUrl, runCount).rows;
  const expected: Tables = {};
  for (const [table, rows] of Object.entries(source)) {
    const byKey = new Map((regenerated[table] ?? []).map((row) => [keyOf(table, row), row]));
    expected[table] = rows.map((row) => byKey.get(keyOf(table, row)) ?? row);
  }
  return expected;
}

/** Each object's key and SHA-256. */
export async function dumpObjects(store: ArtifactStore): Promise<Map<string, string>> {
  const objects = new Map<string, string>();
  for await (const { key } of store.list('')) {
    const hash = createHash('sha256');
    for await (const chunk of await store.get(key)) hash.update(chunk as Buffer);
    objects.set(key, hash.digest('hex'));
  }
  return objects;
}

export function objectDigests(objects: Map<string, Buffer>): Map<string, string> {
  return new Map([...objects].map(([key, body]) => [key, sha256(body)]));
}
