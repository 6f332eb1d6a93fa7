/**
 * The release manifest, `releases.yaml` at the repository root: every release with its schema version,
 * breaking changes and notices. The upgrade reads it to turn `--to VERSION` into a schema version and to
 * show the notes of every release it crosses. It is the same file the release tests check, so what an
 * operator reads is what was tested.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { CairnError } from '../../errors.ts';

/** The stored pipelines a release runs. */
export interface Compatibility {
  /** Pipeline spec `schemaVersion`s. */
  readonly pipelineSpecSchemaVersions: readonly string[];
  /** Per SDK, as named in a spec's `sdkVersion` (`kfp-2.14.0` is SDK `kfp`), a semver range. */
  readonly sdkVersions: Readonly<Record<string, string>>;
}

export interface Release {
  readonly version: string;
  readonly date: string;
  readonly schemaVersion: number;
  /** The oldest release it upgrades from directly; null for the first release. */
  readonly upgradesFrom: string | null;
  readonly breakingChanges: readonly string[];
  readonly notices: readonly string[];
  readonly compatibility: Compatibility;
}

const MANIFEST_URL = new URL('../../../../../releases.yaml', import.meta.url);

let cached: readonly Release[] | undefined;

/** Every release, oldest first. */
export function readReleases(): readonly Release[] {
  if (cached) return cached;
  const file = fileURLToPath(MANIFEST_URL);
  let document: unknown;
  try {
    document = parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CairnError(
      'CONFIG_INVALID',
      `cannot read the release manifest ${file}: ${(error as Error).message}`,
    );
  }
  const entries = (document as { releases?: unknown } | null)?.releases;
  if (!Array.isArray(entries)) throw new CairnError('CONFIG_INVALID', `${file}: no releases list`);
  cached = entries.map((entry: Record<string, unknown>, index): Release => {
    const where = `${file}: releases[${index}]`;
    if (typeof entry.version !== 'string' || typeof entry.schema_version !== 'number') {
      throw new CairnError('CONFIG_INVALID', `${where}: version and schema_version are required`);
    }
    const compatibility = (entry.compatibility ?? {}) as Record<string, unknown>;
    return {
      version: entry.version,
      date: String(entry.date ?? ''),
      schemaVersion: entry.schema_version,
      upgradesFrom: typeof entry.upgrades_from === 'string' ? entry.upgrades_from : null,
      breakingChanges: (entry.breaking_changes as string[] | undefined) ?? [],
      notices: (entry.notices as string[] | undefined) ?? [],
      compatibility: {
        pipelineSpecSchemaVersions: (
          (compatibility.pipeline_spec_schema_versions as unknown[] | undefined) ?? []
        ).map(String),
        sdkVersions: (compatibility.sdk_versions as Record<string, string> | undefined) ?? {},
      },
    };
  });
  return cached;
}

/** The release named `version`; refuses an unknown one, listing the known. */
export function findRelease(version: string): Release {
  const releases = readReleases();
  const release = releases.find((candidate) => candidate.version === version.replace(/^v/, ''));
  if (!release) {
    throw new CairnError(
      'UPGRADE_INVALID',
      `--to ${version}: no such release; releases: ${releases.map((known) => known.version).join(', ')}`,
    );
  }
  return release;
}

/** The newest release whose schema a database at `schemaVersion` is on, or undefined before the first. */
export function releaseAtSchema(schemaVersion: number): Release | undefined {
  return readReleases().findLast((release) => release.schemaVersion <= schemaVersion);
}

/** The releases an upgrade from schema `from` to schema `to` crosses (newer than `from`, up to `to`). */
export function releasesCrossed(from: number, to: number): readonly Release[] {
  return readReleases().filter((release) => release.schemaVersion > from && release.schemaVersion <= to);
}
