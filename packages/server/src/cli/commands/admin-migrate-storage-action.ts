import { existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import type { ArtifactStore } from '../../artifacts/artifact-store.ts';
import {
  type ArtifactLocation,
  openArtifactStore,
  parseArtifactStoreUrl,
} from '../../artifacts/artifact-store-url.ts';
import { CairnError, errorMessage } from '../../errors.ts';
import { type MoveEvent, type MoveSummary, moveStorage } from '../../lifecycle/storage-move/move-storage.ts';
import { type MovedConfig, movedConfigYaml } from '../../lifecycle/storage-move/moved-config.ts';
import { connectDatabase } from '../../store/connect-database.ts';
import { type DatabaseLocation, describeDatabase, parseDatabaseUrl } from '../../store/database-url.ts';
import type { DatabaseHandle } from '../../store/open-database.ts';
import { configFrom } from '../command-config.ts';
import type { Output } from '../output.ts';

export interface MigrateStorageOptions {
  toDb: string;
  toArtifacts?: string;
  writeConfig?: string;
  force?: boolean;
  hash: boolean;
}

function actorName(): string | null {
  try {
    return os.userInfo().username;
  } catch {
    // No passwd entry for this uid (common in containers).
    return process.env.USER ?? null;
  }
}

function invalidOption(option: string, problem: string): CairnError {
  return new CairnError('CONFIG_INVALID', `${option}: ${problem}`);
}

function targetDatabase(value: string): DatabaseLocation {
  let location: DatabaseLocation;
  try {
    location = parseDatabaseUrl(value);
  } catch (error) {
    throw invalidOption('--to-db', errorMessage(error));
  }
  if (location.dialect === 'sqlite' && location.path === ':memory:') {
    throw invalidOption('--to-db', 'an in-memory SQLite database would vanish when the move ends');
  }
  return location;
}

function targetArtifacts(value: string): ArtifactLocation {
  try {
    return parseArtifactStoreUrl(value);
  } catch (error) {
    throw invalidOption('--to-artifacts', errorMessage(error));
  }
}

/** The `db` setting for the new configuration: absolute for SQLite, so the file works wherever it goes. */
function databaseSetting(location: DatabaseLocation): string {
  return location.dialect === 'sqlite' ? `sqlite://${pathToFileURL(location.path).pathname}` : location.url;
}

function mebibytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

const PHASE_LINES = {
  rows: 'copying rows, from one snapshot of the source',
  objects: 'copying objects',
  compare: 'comparing every row and object of the source and the target',
  verify: 'verifying the target',
} as const;

function movePrinter(output: Output): (event: MoveEvent) => void {
  return (event) => {
    switch (event.kind) {
      case 'finished-before': {
        const finished = event.marker.finishedAt ?? event.marker.startedAt;
        output.out(
          `the target already holds this move, finished ${new Date(finished).toISOString()} ` +
            `(lifecycle_audit ${event.marker.id}): nothing to do`,
        );
        return;
      }
      case 'migration':
        output.out(`  ${event.direction === 'up' ? 'applying' : 'reverting'} ${event.name}`);
        return;
      case 'start':
        output.out(
          event.resumed
            ? `resuming the unfinished move into this target (at ${event.phase})`
            : `the target's schema is at version ${event.schemaVersion}, as the source's`,
        );
        if (event.rewrite !== null) {
          output.out(`artifact URIs under ${event.rewrite.from} are rewritten to ${event.rewrite.to}`);
        }
        if (!event.copyObjects) output.out('the artifact store stays where it is: only the metadata moves');
        return;
      case 'phase':
        output.out(PHASE_LINES[event.phase]);
        return;
      case 'rows':
        output.out(`  ${event.table}: ${event.done}/${event.total} rows`);
        return;
      case 'table':
        output.out(`  ${event.table}: ${event.rows} rows`);
        return;
      case 'objects':
        output.out(`  objects: ${event.objects} (${mebibytes(event.bytes)})`);
        return;
      case 'comparing-rows':
        output.out(
          event.sourceReadAgain
            ? '  the source is read again: it cannot be shown unchanged since its rows were copied'
            : "  nothing has written to the source since its rows were copied: the target is compared with the copy's digests",
        );
        return;
      case 'compared-table': {
        const { comparison } = event;
        output.out(
          comparison.equal
            ? `  ${comparison.table}: ${comparison.sourceRows} rows equal`
            : `  ${comparison.table}: DIFFERENT (${comparison.sourceRows} rows in the source, ${comparison.targetRows} in the target)`,
        );
        return;
      }
      case 'comparing-objects':
        output.out(`  objects: ${event.compared} compared`);
        return;
      case 'compared-objects': {
        const { comparison } = event;
        const how = comparison.hashed ? 'SHA-256' : 'size';
        output.out(
          comparison.differing === 0
            ? `  objects: ${comparison.compared} equal (${how}, ${mebibytes(comparison.bytes)})`
            : `  objects: ${comparison.differing} DIFFERENT`,
        );
        return;
      }
      case 'verify':
        if (event.progress.phase === 'done') {
          const { result } = event.progress;
          output.out(
            `  ${result.name}: ${result.status}${result.problems > 0 ? ` (${result.problems})` : ''}`,
          );
        }
        return;
      case 'verified':
        output.out(
          `verify: ${event.summary}` +
            (event.inherited > 0
              ? `; all ${event.inherited} carried over from the source, which has them too`
              : ''),
        );
        return;
      case 'verify-skipped':
        output.out(`verify ${event.reason}`);
    }
  };
}

function printSummary(summary: MoveSummary, started: number, output: Output): void {
  const { result } = summary;
  const rows = Object.values(result.rows).reduce((sum, count) => sum + count, 0);
  if (!summary.finishedBefore) {
    output.out(
      `moved in ${((Date.now() - started) / 1000).toFixed(1)} s: ${rows} rows, ${result.objects} objects ` +
        `(${mebibytes(result.bytes)}); recorded in the target's lifecycle_audit as ${summary.moveId}`,
    );
  }
  if (summary.schemaVersion < summary.latestSchemaVersion) {
    output.out(
      `the target's schema is at version ${summary.schemaVersion}, as the source's; this Cairn needs ` +
        `${summary.latestSchemaVersion}: run 'cairn admin upgrade' with the new configuration before starting Cairn on it`,
    );
  }
}

export async function migrateStorage(
  options: MigrateStorageOptions,
  command: Command,
  output: Output,
): Promise<void> {
  const config = configFrom(command);
  const targetLocation = targetDatabase(options.toDb);
  const targetStoreLocation =
    options.toArtifacts === undefined ? config.artifacts.value : targetArtifacts(options.toArtifacts);
  const configFile = options.writeConfig === undefined ? undefined : path.resolve(options.writeConfig);
  if (configFile !== undefined && options.force !== true && existsSync(configFile)) {
    throw invalidOption(
      '--write-config',
      `${configFile} already exists; choose another file, or pass --force to replace it`,
    );
  }
  const started = Date.now();
  const handles: DatabaseHandle[] = [];
  const stores: ArtifactStore[] = [];
  try {
    const source = await connectDatabase(config.db.value);
    handles.push(source);
    const target = await connectDatabase(targetLocation);
    handles.push(target);
    const sourceStore = openArtifactStore(config.artifacts.value, config.s3Credentials);
    stores.push(sourceStore);
    const targetStore = openArtifactStore(targetStoreLocation, config.s3Credentials);
    stores.push(targetStore);
    output.out(`moving ${describeDatabase(config.db.value)} and ${sourceStore.url}`);
    output.out(`    to ${describeDatabase(targetLocation)} and ${targetStore.url}`);
    const summary = await moveStorage({
      source: { db: source.db, dialect: source.dialect, location: source.location, store: sourceStore },
      target: { db: target.db, dialect: target.dialect, location: target.location, store: targetStore },
      hash: options.hash,
      actor: actorName(),
      onProgress: movePrinter(output),
    });
    printSummary(summary, started, output);
    const moved: MovedConfig = {
      db: databaseSetting(targetLocation),
      artifacts: targetStore.url,
      s3: targetStoreLocation.kind === 's3' ? config.s3Credentials : undefined,
    };
    output.out('the new configuration (cairn.yaml; secrets shown as ***):');
    for (const line of movedConfigYaml(moved, true).trimEnd().split('\n')) output.out(`  ${line}`);
    if (configFile !== undefined) {
      const header = `# Written by 'cairn admin migrate-storage' on ${new Date().toISOString()}.\n`;
      // The file holds the database password, if the URL has one: readable by its owner only.
      writeFileSync(configFile, header + movedConfigYaml(moved, false), { mode: 0o600 });
      output.out(`wrote ${configFile}`);
    }
  } finally {
    for (const store of stores) await store.close();
    for (const handle of handles) await handle.close();
  }
}
