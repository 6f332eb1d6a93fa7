// Reinstall on existing storage: everything Cairn knows lives in its two stores, so an installation
// deleted (its home directory with its config and work folders, its processes) and started again on
// the same database and artifact store brings back everything: pipelines, versions, experiments, runs
// with their logs and artifacts, lineage, cache hits, and recurring runs that fire at their next slot.
// On every dialect, against `cairn up` as a child process.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse } from 'yaml';
import { FsArtifactStore } from '../../src/artifacts/fs-artifact-store.ts';
import { describeVerifyReport } from '../../src/lifecycle/verify/describe-verify-report.ts';
import { verifyDeployment } from '../../src/lifecycle/verify/verify-deployment.ts';
import { GREETING_PIPELINE } from '../cli/support/cli-pipelines.ts';
import { WorkerProcess } from '../engine/crash/worker-process.ts';
import { createMigratedDatabase, type MigratedDatabase } from '../support/migrated-database.ts';
import { dialectTargets } from '../support/test-databases.ts';

// biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON came back.
type Json = any;

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(100);
  }
}

for (const { dialect, skip } of await dialectTargets()) {
  describe(`reinstall on existing storage on ${dialect}`, { skip }, () => {
    let store: MigratedDatabase;
    let scratch: string;
    let artifacts: string;
    before(async () => {
      store = await createMigratedDatabase(dialect);
      scratch = mkdtempSync(path.join(os.tmpdir(), 'cairn-reinstall-'));
      artifacts = path.join(scratch, 'artifacts');
    });
    after(async () => {
      await store.close();
      rmSync(scratch, { recursive: true, force: true });
    });

    async function install(name: string): Promise<{
      server: WorkerProcess;
      home: string;
      api: (p: string, init?: RequestInit) => Promise<Json>;
    }> {
      const home = mkdtempSync(path.join(scratch, `${name}-`));
      writeFileSync(
        path.join(home, 'cairn.yaml'),
        `db: ${store.database.url}\nartifacts: file://${artifacts}\n`,
      );
      const server = new WorkerProcess({
        command: 'up',
        db: store.database.url,
        artifacts: `file://${artifacts}`,
        home,
        name,
        args: ['--port', '0', '--poll-ms', '50'],
      });
      await server.waitForLine(/^ {2}worker /, 30_000);
      const url = server.lines.find((line) => line.includes(' is up at '))?.split(' is up at ')[1] ?? '';
      const api = async (route: string, init?: RequestInit) => {
        const response = await fetch(`${url}/apis/v2beta1${route}`, {
          ...init,
          headers: { 'content-type': 'application/json' },
        });
        const text = await response.text();
        if (!response.ok) throw new Error(`${init?.method ?? 'GET'} ${route}: ${response.status} ${text}`);
        return text.startsWith('{') ? JSON.parse(text) : text;
      };
      return { server, home, api };
    }

    const finished = (api: (p: string) => Promise<Json>, runId: string) =>
      until(`run ${runId} finishes`, async () => {
        const run = await api(`/runs/${runId}`);
        return ['SUCCEEDED', 'FAILED', 'CANCELED'].includes(run.state) ? run : undefined;
      });

    /** Everything a user can read back, with volatile fields (the server's own URL) left out. */
    async function snapshot(api: (p: string) => Promise<Json>, runId: string, recurringId: string) {
      const run = await api(`/runs/${runId}`);
      const greet = run.run_details.task_details.find((task: Json) => task.display_name === 'greet');
      const artifactsOfRun = await api(`/artifacts?run_id=${runId}`);
      const artifact = artifactsOfRun.artifacts?.[0];
      return {
        pipelines: await api('/pipelines'),
        versions: await api(`/pipelines/${run.pipeline_version_reference.pipeline_id}/versions`),
        experiments: await api('/experiments'),
        run,
        log: await api(`/runs/${runId}/tasks/${greet.task_id}/logs`),
        artifacts: artifactsOfRun,
        content: artifact ? await api(`/artifacts/${artifact.artifact_id}:download`) : undefined,
        lineage: artifact ? await api(`/artifacts/${artifact.artifact_id}/lineage`) : undefined,
        recurring: await api(`/recurringruns/${recurringId}`),
      };
    }

    test('a deleted installation started again on the same stores has all its history', async () => {
      const first = await install('first');
      let runId: string;
      let recurringId: string;
      let before: Json;
      try {
        const pipeline = await first.api('/pipelines/create', {
          method: 'POST',
          body: JSON.stringify({
            pipeline: { name: 'greeting', display_name: 'greeting' },
            pipeline_version: { name: 'v1', display_name: 'v1', pipeline_spec: parse(GREETING_PIPELINE) },
          }),
        });
        // A pipeline alone means its newest version.
        const reference = { pipeline_id: pipeline.pipeline_id };
        const run = await first.api('/runs', {
          method: 'POST',
          body: JSON.stringify({
            display_name: 'before the reinstall',
            pipeline_version_reference: reference,
            runtime_config: { parameters: { who: 'world' } },
          }),
        });
        runId = run.run_id;
        assert.equal((await finished(first.api, runId)).state, 'SUCCEEDED');
        const recurring = await first.api('/recurringruns', {
          method: 'POST',
          body: JSON.stringify({
            display_name: 'every 2 s',
            pipeline_version_reference: reference,
            runtime_config: { parameters: { who: 'schedule' } },
            trigger: { periodic_schedule: { interval_second: '2' } },
            mode: 'ENABLE',
            no_catchup: true,
            max_concurrency: '10',
          }),
        });
        recurringId = recurring.recurring_run_id;
        await until('the recurring run fires', async () => {
          const runs = await first.api(
            `/runs?filter=${encodeURIComponent(JSON.stringify({ predicates: [{ key: 'recurring_run_id', operation: 'EQUALS', string_value: recurringId }] }))}`,
          );
          return (runs.runs ?? []).length > 0 ? true : undefined;
        });
        before = await snapshot(first.api, runId, recurringId);
      } finally {
        await first.server.kill('SIGTERM');
      }
      // The installation is deleted: its home (config, work folders) and its process are gone.
      rmSync(first.home, { recursive: true, force: true });

      const second = await install('second');
      try {
        const after = await snapshot(second.api, runId, recurringId);
        // A recurring run's last fire moves on while it runs, and with it the last run time of its
        // experiment; the rest must be exactly as before.
        const [experimentBefore, experimentAfter] = [before, after].map(
          (snap) => snap.experiments.experiments[0],
        );
        assert.ok(experimentAfter.last_run_created_at >= experimentBefore.last_run_created_at);
        const steady = (snap: Json) => ({
          ...snap,
          recurring: undefined,
          experiments: {
            ...snap.experiments,
            experiments: snap.experiments.experiments.map((experiment: Json) => ({
              ...experiment,
              last_run_created_at: undefined,
            })),
          },
        });
        assert.deepEqual(steady(after), steady(before));
        assert.equal(after.recurring.display_name, before.recurring.display_name);
        assert.equal(after.content, 'hello world');

        // The recurring run fires again at its next slots, after the reinstall.
        const restartedAt = Date.now();
        await until('the recurring run fires after the reinstall', async () => {
          const runs = await second.api(
            `/runs?sort_by=${encodeURIComponent('created_at desc')}&page_size=1&filter=${encodeURIComponent(JSON.stringify({ predicates: [{ key: 'recurring_run_id', operation: 'EQUALS', string_value: recurringId }] }))}`,
          );
          const newest = runs.runs?.[0];
          return newest && Date.parse(newest.created_at) >= restartedAt ? true : undefined;
        });
        await second.api(`/recurringruns/${recurringId}:disable`, { method: 'POST', body: '{}' });

        // The same run again: its greet task is served from the cache the first installation filled.
        const again = await second.api('/runs', {
          method: 'POST',
          body: JSON.stringify({
            display_name: 'after the reinstall',
            pipeline_version_reference: before.run.pipeline_version_reference,
            runtime_config: { parameters: { who: 'world' } },
          }),
        });
        assert.equal((await finished(second.api, again.run_id)).state, 'SUCCEEDED');
        const cached = await store.db
          .selectFrom('tasks')
          .select(['name', 'cached_from_task_id'])
          .where('run_id', '=', again.run_id)
          .where('name', '=', 'greet')
          .executeTakeFirstOrThrow();
        assert.ok(cached.cached_from_task_id, 'greet is a cache hit');
      } finally {
        await second.server.kill('SIGTERM');
      }
      const objects = new FsArtifactStore(artifacts);
      try {
        const report = await verifyDeployment({ db: store.db, dialect: store.dialect, artifacts: objects });
        assert.equal(report.outcome, 'clean', describeVerifyReport(report).join('\n'));
      } finally {
        await objects.close();
      }
    });
  });
}
