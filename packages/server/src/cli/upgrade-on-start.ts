/**
 * What `cairn up` does with a database whose schema is behind its code. The embedded default (a SQLite
 * file) upgrades itself, with the upgrade's automatic backup: it has one user, who just started a newer
 * Cairn. An external database is shared by every server and worker of a deployment, so it is upgraded
 * only when asked: `cairn admin upgrade`, or `cairn up --auto-upgrade`. Otherwise `openStore` refuses it
 * and says so.
 */
import path from 'node:path';
import { openArtifactStore } from '../artifacts/artifact-store-url.ts';
import type { CairnConfig } from '../config/resolve-config.ts';
import { CairnError } from '../errors.ts';
import { runUpgrade } from '../lifecycle/upgrade/run-upgrade.ts';
import { PlanStore } from '../lifecycle/upgrade/upgrade-plan.ts';
import { connectDatabase } from '../store/connect-database.ts';
import { Migrator } from '../store/migrator/migrator.ts';
import { incompatibility } from '../store/migrator/schema-status.ts';
import type { Output } from './output.ts';

/** Running tasks of a deployment being upgraded at start get this long to finish before they are stopped. */
const DRAIN_TIMEOUT_MS = 60_000;

export async function upgradeOnStart(
  config: CairnConfig,
  output: Output,
  { autoUpgrade }: { autoUpgrade: boolean },
): Promise<void> {
  const handle = await connectDatabase(config.db.value);
  try {
    const status = await new Migrator({ db: handle.db, dialect: handle.dialect }).status();
    const latest = await new PlanStore(handle.db, handle.dialect).latest();
    const unfinished = latest?.state === 'running' || latest?.state === 'rolling-back';
    const behind = status.pending.length > 0 || status.interrupted.length > 0;
    // A schema newer than the code, or edited migrations: openStore refuses it with the reason.
    if (incompatibility(status) || (!behind && !unfinished)) return;
    if (handle.dialect.name !== 'sqlite' && !autoUpgrade) return;
    const store = openArtifactStore(config.artifacts.value, config.s3Credentials);
    try {
      const backupDir = path.join(config.home.value, 'backups');
      output.out(
        status.databaseSchemaVersion === 0
          ? `cairn up: a new database: creating its schema (version ${status.codeSchemaVersion})`
          : `cairn up: the database is at schema ${status.databaseSchemaVersion} and this Cairn needs ` +
              `${status.codeSchemaVersion}: upgrading it, with a backup in ${backupDir}`,
      );
      const plan = await runUpgrade(
        { db: handle.db, dialect: handle.dialect, location: handle.location, store },
        {
          kind: 'upgrade',
          backup: true,
          backupDir,
          drainTimeoutMs: DRAIN_TIMEOUT_MS,
          // Starting a newer Cairn on its own store is the confirmation; the notes are still shown.
          confirm: async (notes) => {
            for (const note of notes) output.out(`  note: ${note}`);
            return true;
          },
          onEvent: (event) => {
            if (event.kind === 'step-end' && event.step.state === 'failed') {
              output.err(
                `cairn up: upgrade step ${event.step.phase}/${event.step.name} failed: ${event.step.detail}`,
              );
            }
          },
        },
      );
      if (plan.state !== 'succeeded') {
        throw new CairnError(
          'UPGRADE_FAILED',
          `the upgrade at start ${plan.state === 'rolled-back' ? 'failed and was rolled back' : 'failed'} ` +
            `(plan ${plan.id}): ${plan.error ?? 'see cairn admin upgrade status'}`,
        );
      }
      output.out(`cairn up: schema ${plan.toSchema} ready (plan ${plan.id}; see cairn admin upgrade status)`);
    } finally {
      await store.close();
    }
  } finally {
    await handle.close();
  }
}
