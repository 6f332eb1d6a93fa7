import type { Command } from 'commander';
import type { ArtifactStore } from '../artifacts/artifact-store.ts';
import { openArtifactStore } from '../artifacts/artifact-store-url.ts';
import { connectDatabase } from '../store/connect-database.ts';
import { describeDatabase } from '../store/database-url.ts';
import type { DatabaseHandle } from '../store/open-database.ts';
import { configFrom } from './command-config.ts';

/** Opens both configured stores, runs `fn`, and closes them whatever happens. */
export async function withStores<T>(
  command: Command,
  fn: (handle: DatabaseHandle, store: ArtifactStore, where: string) => Promise<T>,
): Promise<T> {
  const config = configFrom(command);
  const handle = await connectDatabase(config.db.value);
  const store = openArtifactStore(config.artifacts.value, config.s3Credentials);
  try {
    return await fn(handle, store, `${describeDatabase(config.db.value)} and ${store.url}`);
  } finally {
    await store.close();
    await handle.close();
  }
}
