// verifyDeployment against real databases and real stores: a clean deployment (sample rows and objects
// plus a pipeline run driven to its end) verifies clean, and each kind of damage, done one at a time and
// undone after, is reported with its kind and the ids of what is damaged.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { ArtifactStore } from '../../../src/artifacts/artifact-store.ts';
import { S3ArtifactStore } from '../../../src/artifacts/s3-artifact-store.ts';
import { deleteRun } from '../../../src/catalog/runs.ts';
import { createRun } from '../../../src/engine/runs/create-run.ts';
import { terminateRun } from '../../../src/engine/runs/terminate-run.ts';
import { describeVerifyReport } from '../../../src/lifecycle/verify/describe-verify-report.ts';
import {
  type VerifyDeploymentOptions,
  verifyDeployment,
} from '../../../src/lifecycle/verify/verify-deployment.ts';
import type { ProblemIds, ProblemKind, VerifyReport } from '../../../src/lifecycle/verify/verify-report.ts';
import { MIGRATIONS } from '../../../src/store/migrations/index.ts';
import { Migrator } from '../../../src/store/migrator/migrator.ts';
import { HISTORY_TABLE } from '../../../src/store/migrator/schema-history.ts';
import { artifactPipelineSpec, DATA } from '../../api/support/artifact-pipeline.ts';
import { createMigratedDatabase, type MigratedDatabase } from '../../support/migrated-database.ts';
import { SAMPLE_OBJECTS } from '../../support/sample-objects.ts';
import { IDS } from '../../support/sample-rows.ts';
import { S3_ENDPOINT } from '../../support/services.ts';
import { dialectTargets } from '../../support/test-databases.ts';
import {
  openTestStore,
  removeTestBucket,
  runArtifactPipeline,
  S3_CREDENTIALS,
  s3Service,
  seedSampleDeployment,
  type TestStore,
  withoutForeignKeys,
} from './support/verify-fixture.ts';

after(removeTestBucket);

/** The problems of the report, as [kind, ids] pairs, in the order found. */
function found(report: VerifyReport): [ProblemKind, ProblemIds][] {
  return report.problems.map((problem) => [problem.kind, problem.ids]);
}

/** The problem about the object at `key`. */
function problemAbout(report: VerifyReport, key: string) {
  return (
    report.problems.find((problem) => problem.ids.objectKey === key) ?? assert.fail(`no problem about ${key}`)
  );
}

async function text(store: ArtifactStore, key: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of await store.get(key)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const MODEL = SAMPLE_OBJECTS[0] ?? assert.fail('a sample model object');

for (const { dialect, skip } of await dialectTargets()) {
  for (const storeKind of ['fs', 's3'] as const) {
    const storeSkip = storeKind === 's3' ? s3Service.skip : undefined;
    describe(`verify on ${dialect} with the ${storeKind} store`, { skip: skip ?? storeSkip }, () => {
      let database: MigratedDatabase;
      let testStore: TestStore;
      let store: ArtifactStore;
      let runId: string;
      /** The run's output artifacts by output name: their row ids and keys. */
      const outputs = new Map<string, { id: string; key: string }>();

      const verify = (options: Partial<VerifyDeploymentOptions> = {}) =>
        verifyDeployment({
          db: database.db,
          dialect: database.dialect,
          artifacts: store,
          orphanGraceMs: 0,
          ...options,
        });
      const assertClean = async (options: Partial<VerifyDeploymentOptions> = {}) => {
        const report = await verify(options);
        assert.equal(report.outcome, 'clean', describeVerifyReport(report).join('\n'));
        return report;
      };
      const output = (name: string) => outputs.get(name) ?? assert.fail(`no output ${name}`);

      before(async () => {
        database = await createMigratedDatabase(dialect);
        testStore = await openTestStore(storeKind);
        store = testStore.store;
        await seedSampleDeployment(database.db, store);
        runId = await runArtifactPipeline(database.db, database.dialect, store);
        const root = `${store.url.replace(/\/+$/, '')}/`;
        const rows = await database.db
          .selectFrom('artifacts')
          .select(['id', 'name', 'uri'])
          .where('uri', 'like', `%/${runId}/%`)
          .execute();
        for (const row of rows) outputs.set(row.name ?? '', { id: row.id, key: row.uri.slice(root.length) });
      });
      after(async () => {
        await database?.close();
        await testStore?.cleanup();
      });

      test('sample rows and objects and a finished run verify clean, and the verify is audited', async () => {
        const report = await assertClean({ orphanGraceMs: undefined });
        assert.deepEqual(
          report.checks.map((check) => [check.name, check.status]),
          ['schema', 'references', 'run-states', 'artifacts', 'objects'].map((name) => [name, 'passed']),
        );
        // The sample's 3 objects, and the run's data, files (a directory), model and page; its metrics
        // are metadata only.
        assert.equal(report.stats.artifactsChecked, 7);
        assert.equal(report.stats.artifactsWithoutContent, 1);
        assert.equal(report.stats.objectsHashed, 8);
        // Each of the run's three tasks left a log beside its outputs.
        assert.equal(report.stats.objectsListed, 11);
        assert.equal(report.stats.objectsKnown, 11);
        assert.ok('id' in report.audit, JSON.stringify(report.audit));
        const audit = await database.db
          .selectFrom('lifecycle_audit')
          .selectAll()
          .where('id', '=', report.audit.id)
          .executeTakeFirstOrThrow();
        assert.equal(audit.operation, 'verify');
        assert.equal(audit.outcome, 'CLEAN');
        assert.ok(audit.finished_at !== null && audit.finished_at >= audit.started_at);
        assert.equal(JSON.parse(audit.details ?? '{}').artifactStore, store.url);
      });

      test('a deleted object is artifact-missing, naming the artifact and the key', async () => {
        await store.delete(MODEL.key);
        try {
          const report = await verify();
          assert.deepEqual(found(report), [
            ['artifact-missing', { artifactId: IDS.artifact, objectKey: MODEL.key }],
          ]);
          assert.equal(report.outcome, 'problems');
        } finally {
          await store.put(MODEL.key, MODEL.body);
        }
      });

      test('a truncated object is artifact-size-mismatch, found with and without hashing', async () => {
        const data = output('data');
        await store.put(data.key, DATA.slice(0, 8));
        try {
          for (const hash of [true, false]) {
            const report = await verify({ hash });
            assert.deepEqual(found(report), [
              ['artifact-size-mismatch', { artifactId: data.id, objectKey: data.key }],
            ]);
            assert.match(report.problems[0]?.message ?? '', /has 8 bytes, but 16 were recorded/);
          }
        } finally {
          await store.put(data.key, DATA);
        }
      });

      test('other bytes of the same size are artifact-hash-mismatch, in a file and in a directory', async () => {
        await store.put(MODEL.key, MODEL.body.toUpperCase());
        try {
          assert.deepEqual(found(await verify()), [
            ['artifact-hash-mismatch', { artifactId: IDS.artifact, objectKey: MODEL.key }],
          ]);
          // Sizes alone cannot see it: that is what --no-hash gives up.
          await assertClean({ hash: false });
        } finally {
          await store.put(MODEL.key, MODEL.body);
        }
        const files = output('files');
        await store.put(`${files.key}/a.txt`, 'b');
        try {
          assert.deepEqual(found(await verify()), [
            ['artifact-hash-mismatch', { artifactId: files.id, objectKey: files.key }],
          ]);
        } finally {
          await store.put(`${files.key}/a.txt`, 'a');
        }
      });

      test('orphans are listed; --fix moves them into quarantine, still readable, and verify is clean', async () => {
        const stray = `${output('data').key.split('/').slice(0, 3).join('/')}/stray`;
        const outside = 'notes/readme.txt';
        await store.put(stray, 'stray bytes');
        await store.put(outside, 'not cairn');
        // Within the default grace period they are not judged yet.
        const early = await assertClean({ orphanGraceMs: undefined });
        assert.equal(early.stats.objectsRecent, 2);

        const report = await verify();
        // The S3 test server lists in its own order, so the two are compared as a set.
        assert.deepEqual(
          found(report).sort(([, a], [, b]) => String(a.objectKey).localeCompare(String(b.objectKey))),
          [
            ['orphan-object', { objectKey: outside }],
            ['orphan-object', { objectKey: stray, runId }],
          ],
        );
        assert.match(problemAbout(report, stray).message, /which has ended SUCCEEDED, but no artifact row/);

        const fixed = await verify({ fix: true });
        assert.equal(fixed.outcome, 'fixed', describeVerifyReport(fixed).join('\n'));
        for (const key of [outside, stray]) {
          const fix = problemAbout(fixed, key).fix;
          assert.ok(fix?.action === 'quarantined', JSON.stringify(fix));
          assert.match(fix.to, /^quarantine\/\d{8}T\d{6}Z\//);
          assert.equal(fix.to.slice(fix.to.indexOf('Z/') + 2), key);
          assert.equal(await store.stat(key), undefined, `${key} was moved`);
          assert.equal(await text(store, fix.to), key === stray ? 'stray bytes' : 'not cairn');
        }
        assert.equal(fixed.stats.objectsQuarantined, 2);
        assert.ok('id' in fixed.audit);
        const audit = await database.db
          .selectFrom('lifecycle_audit')
          .select('outcome')
          .where('id', '=', fixed.audit.id)
          .executeTakeFirstOrThrow();
        assert.equal(audit.outcome, 'FIXED');

        const after = await assertClean();
        assert.equal(after.stats.objectsInQuarantine, 2);
      });

      test('a log chunk beside its complete log is an orphan; the chunk of a lost attempt is not', async () => {
        const taskFolder = output('data').key.split('/').slice(0, 3).join('/');
        const logs: string[] = [];
        for await (const object of store.list(`${taskFolder}/.cairn-logs/`)) logs.push(object.key);
        const [log] = logs;
        assert.ok(log !== undefined && logs.length === 1, `one log: ${logs.join(', ')}`);
        const leftover = `${log}.chunks/0000000000000000`;
        const lost = `${taskFolder}/.cairn-logs/7.log.chunks/0000000000000000`;
        await store.put(leftover, 'made data\n');
        await store.put(lost, 'the only copy\n');
        try {
          const report = await verify();
          assert.deepEqual(found(report), [['orphan-object', { objectKey: leftover, runId }]]);
          assert.match(report.problems[0]?.message ?? '', /chunk of a log that is stored complete/);
        } finally {
          await store.delete(leftover);
          await store.delete(lost);
        }
      });

      test('a task still RUNNING in a SUCCEEDED run is run-tasks-disagree', async () => {
        const train = await database.db
          .selectFrom('tasks')
          .select('id')
          .where('run_id', '=', runId)
          .where('path', '=', 'root/train')
          .executeTakeFirstOrThrow();
        await database.db.updateTable('tasks').set({ state: 'RUNNING' }).where('id', '=', train.id).execute();
        try {
          const report = await verify();
          assert.deepEqual(found(report), [['run-tasks-disagree', { runId, taskId: train.id }]]);
          assert.match(
            report.problems[0]?.message ?? '',
            /ended SUCCEEDED, but its task root\/train is still RUNNING/,
          );
        } finally {
          await database.db
            .updateTable('tasks')
            .set({ state: 'SUCCEEDED' })
            .where('id', '=', train.id)
            .execute();
        }
      });

      test('a run whose root DAG ended otherwise, and runs still in flight with an ended root, disagree', async () => {
        const root = await database.db
          .selectFrom('tasks')
          .select('id')
          .where('run_id', '=', runId)
          .where('path', '=', 'root')
          .executeTakeFirstOrThrow();
        await database.db.updateTable('tasks').set({ state: 'FAILED' }).where('id', '=', root.id).execute();
        try {
          const report = await verify();
          assert.deepEqual(found(report), [['run-tasks-disagree', { runId, taskId: root.id }]]);
          assert.match(report.problems[0]?.message ?? '', /ended SUCCEEDED, but its root DAG ended FAILED/);
        } finally {
          await database.db
            .updateTable('tasks')
            .set({ state: 'SUCCEEDED' })
            .where('id', '=', root.id)
            .execute();
        }
      });

      test('a lost end time, a lost state change and an unknown state are each reported', async () => {
        const cases: {
          kind: ProblemKind;
          ids: ProblemIds;
          damage: () => Promise<unknown>;
          repair: () => Promise<unknown>;
        }[] = [
          {
            kind: 'run-missing-finish-time',
            ids: { runId, table: 'runs', rowId: runId, column: 'finished_at' },
            damage: () =>
              database.db.updateTable('runs').set({ finished_at: null }).where('id', '=', runId).execute(),
            repair: () =>
              database.db
                .updateTable('runs')
                .set({ finished_at: Date.now() })
                .where('id', '=', runId)
                .execute(),
          },
          {
            kind: 'run-history-mismatch',
            ids: { runId, table: 'run_state_history' },
            damage: () =>
              database.db
                .insertInto('run_state_history')
                .values({ run_id: runId, seq: 99, state: 'RUNNING', error: null, created_at: Date.now() })
                .execute(),
            repair: () =>
              database.db
                .deleteFrom('run_state_history')
                .where('run_id', '=', runId)
                .where('seq', '=', 99)
                .execute(),
          },
          {
            kind: 'unknown-state',
            ids: { runId: IDS.run, taskId: IDS.task, table: 'tasks', rowId: IDS.task, column: 'state' },
            damage: () =>
              database.db
                .updateTable('tasks')
                .set({ state: 'EXPLODED' })
                .where('id', '=', IDS.task)
                .execute(),
            repair: () =>
              database.db
                .updateTable('tasks')
                .set({ state: 'SUCCEEDED' })
                .where('id', '=', IDS.task)
                .execute(),
          },
        ];
        for (const { kind, ids, damage, repair } of cases) {
          await damage();
          try {
            assert.deepEqual(found(await verify()), [[kind, ids]]);
          } finally {
            await repair();
          }
        }
        await assertClean();
      });

      test('a run referring to a pipeline version that does not exist is a dangling reference', async () => {
        const missing = randomUUID();
        const point = (version: string) =>
          withoutForeignKeys(database.db, database.dialect, (connection) =>
            connection
              .updateTable('runs')
              .set({ pipeline_version_id: version })
              .where('id', '=', IDS.run)
              .execute(),
          );
        await point(missing);
        try {
          const report = await verify();
          assert.deepEqual(found(report), [
            [
              'dangling-reference',
              {
                table: 'runs',
                rowId: IDS.run,
                column: 'pipeline_version_id',
                missingId: missing,
                runId: IDS.run,
              },
            ],
          ]);
        } finally {
          await point(IDS.version);
        }
      });

      test('an edited checksum of an applied migration is reported; the other checks still run', async () => {
        const { rows } = await sql<{ checksum: string }>`
          select checksum from ${sql.table(HISTORY_TABLE)} where version = 4`.execute(database.db);
        const original = rows[0]?.checksum ?? assert.fail('migration 4 is recorded');
        const edit = (checksum: string) =>
          sql`update ${sql.table(HISTORY_TABLE)} set checksum = ${checksum} where version = 4`.execute(
            database.db,
          );
        await edit('f'.repeat(64));
        try {
          const report = await verify();
          assert.deepEqual(found(report), [['schema-checksum-mismatch', { migration: '0004-create-runs' }]]);
          assert.deepEqual(
            report.checks.map((check) => check.status),
            ['failed', 'passed', 'passed', 'passed', 'passed'],
          );
          assert.deepEqual(report.audit, {
            skipped: 'the schema history disagrees with this code, so the database is not written to',
          });
        } finally {
          await edit(original);
        }
      });

      if (storeKind === 'fs') {
        test('a schema behind or ahead of the code is reported, and nothing else is read or written', async () => {
          const migrator = new Migrator({ db: database.db, dialect: database.dialect });
          const newest = MIGRATIONS.at(-1) ?? assert.fail('migrations');
          const audits = async () =>
            (await database.db.selectFrom('lifecycle_audit').select('id').execute()).length;
          const before = await audits();
          const expectSkipped = (report: VerifyReport) => {
            assert.deepEqual(
              report.checks.map((check) => check.status),
              ['failed', 'skipped', 'skipped', 'skipped', 'skipped'],
            );
            assert.ok('skipped' in report.audit);
          };
          assert.equal((await migrator.migrateTo(newest.version - 1)).error, undefined);
          try {
            const behind = await verify();
            assert.deepEqual(found(behind), [['schema-not-current', { migration: newest.name }]]);
            expectSkipped(behind);
          } finally {
            assert.equal((await migrator.migrateTo()).error, undefined);
          }
          const later = { version: 99, name: '0099-later', checksum: 'a'.repeat(64), cairn_version: '9.0.0' };
          await sql`insert into ${sql.table(HISTORY_TABLE)} (version, name, checksum, cairn_version, state, started_at, finished_at)
            values (${later.version}, ${later.name}, ${later.checksum}, ${later.cairn_version}, 'applied', 1, 2)`.execute(
            database.db,
          );
          try {
            const ahead = await verify();
            assert.deepEqual(found(ahead), [['schema-newer-than-code', { migration: later.name }]]);
            expectSkipped(ahead);
          } finally {
            await sql`delete from ${sql.table(HISTORY_TABLE)} where version = ${later.version}`.execute(
              database.db,
            );
          }
          assert.equal(await audits(), before, 'no audit row was written');
        });
      }

      test('a column added by hand is schema-drift', async () => {
        await sql`alter table runs add column extra integer`.execute(database.db);
        try {
          assert.deepEqual(found(await verify()), [['schema-drift', { table: 'runs', column: 'extra' }]]);
        } finally {
          await sql`alter table runs drop column extra`.execute(database.db);
        }
      });

      test('stored content under a URI outside the store is reported, and its object is then an orphan', async () => {
        const model = output('model');
        const uri = `s3://elsewhere/${model.key}`;
        const original = await database.db
          .selectFrom('artifacts')
          .select(['uri', 'uri_sha256'])
          .where('id', '=', model.id)
          .executeTakeFirstOrThrow();
        await database.db.updateTable('artifacts').set({ uri }).where('id', '=', model.id).execute();
        try {
          assert.deepEqual(found(await verify()), [
            ['artifact-outside-store', { artifactId: model.id }],
            ['orphan-object', { objectKey: model.key, runId }],
          ]);
        } finally {
          await database.db.updateTable('artifacts').set(original).where('id', '=', model.id).execute();
        }
      });

      test('an object a run in flight has written, with no row yet, is not an orphan, even with --fix', async () => {
        const inFlight = await createRun(database.db, database.dialect, {
          displayName: 'in flight',
          pipelineSpec: artifactPipelineSpec('in-flight'),
        });
        // What a task stores before the transaction that records its artifact row.
        const key = `in-flight/${inFlight}/make-data/data`;
        await store.put(key, DATA);
        try {
          const report = await assertClean({ fix: true });
          assert.equal(report.stats.objectsInFlight, 1);
          assert.equal(await text(store, key), DATA);
        } finally {
          await terminateRun(database.db, database.dialect, inFlight);
          await store.delete(key);
        }
        // Terminated, it has ended consistently: every task canceled.
        await assertClean();
      });

      if (storeKind === 's3') {
        test('an unreachable store fails the store checks, and the others still run', async () => {
          const missing = new S3ArtifactStore({
            bucket: `cairn-missing-${randomUUID().slice(0, 8)}`,
            prefix: '',
            endpoint: S3_ENDPOINT,
            region: 'us-east-1',
            forcePathStyle: true,
            credentials: S3_CREDENTIALS,
          });
          try {
            const report = await verify({ artifacts: missing });
            assert.deepEqual(
              report.checks.map((check) => [check.name, check.status]),
              [
                ['schema', 'passed'],
                ['references', 'passed'],
                ['run-states', 'passed'],
                ['artifacts', 'failed'],
                ['objects', 'failed'],
              ],
            );
            assert.deepEqual(
              report.problems.map((problem) => [problem.kind, problem.check]),
              [
                ['check-failed', 'artifacts'],
                ['check-failed', 'objects'],
              ],
            );
            assert.match(report.problems[0]?.message ?? '', /the artifacts check failed: .*NoSuchBucket/);
          } finally {
            await missing.close();
          }
        });
      }

      test('deleting a finished run leaves a clean deployment: its lineage still claims its objects', async () => {
        await deleteRun(database.db, database.dialect, runId);
        const report = await assertClean();
        assert.equal(report.stats.objectsKnown, 11);
      });
    });
  }
}
