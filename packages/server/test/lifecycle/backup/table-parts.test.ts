// A table's rows split into parts (format 2) are checked as one file when a backup is opened: every part
// the manifest counts must be there, in order, and their bytes must add up to the size and digest it
// records. Each problem is refused naming the table and the part.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CairnError } from '../../../src/errors.ts';
import { ArchiveReader } from '../../../src/lifecycle/backup/archive-reader.ts';
import { ArchiveWriter } from '../../../src/lifecycle/backup/archive-writer.ts';
import { BackupArchive } from '../../../src/lifecycle/backup/backup-archive.ts';
import {
  type BackupManifest,
  MANIFEST_PATH,
  type ManifestTable,
  manifestChunks,
  tableEntryPath,
} from '../../../src/lifecycle/backup/backup-manifest.ts';
import { type BackedUpDeployment, backedUpDeployment, SMALL_TABLE_PARTS } from './support/round-trip.ts';
import { scratchDir } from './support/test-stores.ts';

const RUNS = 30;

/** A copy of `file` with the entries `order` returns, in its order, and the manifest `change` made. */
async function rewritten(
  file: string,
  into: string,
  order: (paths: string[]) => string[],
  change: (manifest: BackupManifest) => void = () => undefined,
): Promise<string> {
  const reader = await ArchiveReader.open(file);
  const writer = await ArchiveWriter.create(into);
  try {
    const paths = [...reader.entries.keys()].filter((entryPath) => entryPath !== MANIFEST_PATH);
    for (const entryPath of order(paths)) {
      const entry = reader.entries.get(entryPath);
      assert.ok(entry, entryPath);
      await writer.writeSizedEntry(entryPath, entry.size, reader.read(entry));
    }
    const manifestEntry = reader.entries.get(MANIFEST_PATH);
    assert.ok(manifestEntry);
    const manifest = JSON.parse((await reader.readAll(manifestEntry)).toString('utf8')) as BackupManifest;
    change(manifest);
    await writer.writeEntry(MANIFEST_PATH, manifestChunks(manifest));
    await writer.finish(false);
  } finally {
    await reader.close();
  }
  return into;
}

/** Opens and verifies the archive as a restore does before touching its target. */
async function opened(file: string): Promise<void> {
  const archive = await BackupArchive.open(file);
  try {
    archive.verifyTables();
  } finally {
    await archive.close();
  }
}

function refusedWith(pattern: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof CairnError, String(error));
    assert.equal(error.code, 'BACKUP_INVALID', error.message);
    assert.match(error.message, pattern);
    return true;
  };
}

describe("a backup's tables in parts", () => {
  let backup: BackedUpDeployment;
  let parts: number;
  const scratch = scratchDir('cairn-table-parts-');
  const at = (name: string) => path.join(scratch.dir, name);
  /** A copy of the backup whose manifest entry for the tasks `change` rewrote. */
  const withTasksEntry = (into: string, change: (tasks: ManifestTable) => void) =>
    rewritten(
      backup.file,
      into,
      (paths) => paths,
      (manifest) => {
        const tasks = manifest.tables.find((table) => table.name === 'tasks');
        assert.ok(tasks);
        change(tasks);
      },
    );

  before(async () => {
    backup = await backedUpDeployment('sqlite', 'fs', RUNS, SMALL_TABLE_PARTS);
    parts = backup.summary.manifest.tables.find((table) => table.name === 'tasks')?.parts ?? 1;
    assert.ok(
      parts >= 3,
      `the tasks are in ${parts} parts: ${JSON.stringify(backup.summary.manifest.tables)}`,
    );
  });
  after(async () => {
    await backup?.close();
    scratch.remove();
  });

  test('open and verify as one file', async () => {
    await opened(backup.file);
  });

  test('a missing part is refused by its name', async () => {
    const missing = tableEntryPath('tasks', 2);
    const file = await rewritten(backup.file, at('missing.tar'), (paths) =>
      paths.filter((entryPath) => entryPath !== missing),
    );
    await assert.rejects(opened(file), refusedWith(/is damaged: it has no metadata\/tasks\.2\.jsonl$/));
  });

  test('parts out of order are refused', async () => {
    const [second, third] = [tableEntryPath('tasks', 2), tableEntryPath('tasks', 3)];
    const file = await rewritten(backup.file, at('swapped.tar'), (paths) =>
      paths.map((entryPath) => (entryPath === second ? third : entryPath === third ? second : entryPath)),
    );
    await assert.rejects(opened(file), refusedWith(/is damaged: the parts of table tasks are out of order$/));
  });

  test('a part the manifest does not count is refused', async () => {
    const last = await entrySize(backup.file, tableEntryPath('tasks', parts));
    const file = await withTasksEntry(at('uncounted.tar'), (tasks) => {
      // The size of the parts it still counts, so that only the count is wrong.
      tasks.parts = parts - 1;
      tasks.bytes -= last;
    });
    await assert.rejects(
      opened(file),
      refusedWith(
        new RegExp(`it holds ${parts} parts of table tasks, where the manifest lists ${parts - 1}$`),
      ),
    );
  });

  test('a damaged part is refused with the digest of the whole file', async () => {
    const file = at('damaged.tar');
    const bytes = readFileSync(backup.file);
    const reader = await ArchiveReader.open(backup.file);
    const offset = reader.entries.get(tableEntryPath('tasks', 2))?.offset;
    await reader.close();
    assert.ok(offset !== undefined);
    bytes[offset + 10] = (bytes[offset + 10] ?? 0) ^ 0xff;
    writeFileSync(file, bytes);
    await assert.rejects(
      opened(file),
      refusedWith(
        new RegExp(
          `the SHA-256 of metadata/tasks\\.jsonl to metadata/tasks\\.${parts}\\.jsonl \\(table tasks\\) is ` +
            '[0-9a-f]{64}, but the manifest records',
        ),
      ),
    );
  });

  test('a count of parts that is not a whole number from 1 is refused', async () => {
    const file = await withTasksEntry(at('zero.tar'), (tasks) => {
      tasks.parts = 0;
    });
    await assert.rejects(
      opened(file),
      refusedWith(/its manifest\.json gives table "tasks" 0 parts, where a whole number from 1 was expected/),
    );
  });
});

async function entrySize(file: string, entryPath: string): Promise<number> {
  const reader = await ArchiveReader.open(file);
  try {
    const entry = reader.entries.get(entryPath);
    assert.ok(entry, entryPath);
    return entry.size;
  } finally {
    await reader.close();
  }
}
