/**
 * The compatibility matrix of releases.yaml applied to what a database stores: which pipeline spec
 * schemaVersions and SDK versions its pipeline versions and recurring runs use, and which releases run
 * them. `cairn admin status` reports it; the upgrade preflight refuses a target release that cannot run
 * something stored.
 */
import { sql } from 'kysely';
import semver from 'semver';
import type { AnyDb, StoreDialect } from '../../store/dialects/store-dialect.ts';
import { type Release, readReleases } from './release-manifest.ts';

export interface StoredUse {
  readonly kind: 'schemaVersion' | 'sdk';
  /** `2.1.0`, or the spec's whole sdkVersion (`kfp-2.14.0`). */
  readonly value: string;
  /** Pipeline versions and recurring runs with an inline spec that use it. */
  readonly count: number;
  /** Releases that run it, oldest first. */
  readonly acceptedBy: readonly string[];
}

/** What the database stores, each use with the releases that accept it. */
export async function storedUses(db: AnyDb, dialect: StoreDialect): Promise<StoredUse[]> {
  const counts = new Map<string, { kind: StoredUse['kind']; value: string; count: number }>();
  const add = (kind: StoredUse['kind'], value: string | null, count: number) => {
    if (value === null || value === '') return;
    const key = `${kind} ${value}`;
    const known = counts.get(key);
    counts.set(key, { kind, value, count: (known?.count ?? 0) + count });
  };
  if (await dialect.tableExists(db, 'pipeline_versions')) {
    const versions = await db
      .selectFrom('pipeline_versions')
      .select(['spec_schema_version', 'sdk_version', sql<number | string>`count(*)`.as('count')])
      .groupBy(['spec_schema_version', 'sdk_version'])
      .execute();
    for (const row of versions) {
      add('schemaVersion', row.spec_schema_version as string | null, Number(row.count));
      add('sdk', row.sdk_version as string | null, Number(row.count));
    }
  }
  // Inline specs of recurring runs are counted too: they fire again after an upgrade.
  if (await dialect.tableExists(db, 'recurring_runs')) {
    const inline = await db
      .selectFrom('recurring_runs')
      .select('pipeline_spec')
      .where('pipeline_spec', 'is not', null)
      .execute();
    for (const row of inline) {
      const text = String(row.pipeline_spec);
      add('schemaVersion', specField(text, 'schemaVersion'), 1);
      add('sdk', specField(text, 'sdkVersion'), 1);
    }
  }
  const releases = readReleases();
  return [...counts.values()].map((use) => ({
    ...use,
    acceptedBy: releases.filter((release) => accepts(release, use)).map((release) => release.version),
  }));
}

/** A top-level field of a spec in YAML or JSON, read without parsing the whole document. */
function specField(text: string, field: string): string | null {
  return new RegExp(`["']?${field}["']?\\s*:\\s*["']?([^"'\\s,}]+)`).exec(text)?.[1] ?? null;
}

/**
 * Whether a release runs a stored use. An SDK the matrix does not name is accepted: Cairn checks the spec
 * itself, and the SDK only says who wrote it.
 */
export function accepts(release: Release, use: Pick<StoredUse, 'kind' | 'value'>): boolean {
  // A release that accepts no schemaVersion runs no pipeline at all (0.1.0 only stored them).
  if (release.compatibility.pipelineSpecSchemaVersions.length === 0) return false;
  if (use.kind === 'schemaVersion')
    return release.compatibility.pipelineSpecSchemaVersions.includes(use.value);
  const match = /^(.+)-(\d+\.\d+\.\d+\S*)$/.exec(use.value);
  if (!match?.[1] || !match[2]) return true;
  const range = release.compatibility.sdkVersions[match[1]];
  return range === undefined || semver.satisfies(match[2], range, { includePrerelease: true });
}

/** "3 pipeline(s) use schemaVersion 2.0.0: run by 0.2.0 to 0.4.0". */
export function describeUse(use: StoredUse): string {
  const what = use.kind === 'schemaVersion' ? `schemaVersion ${use.value}` : `SDK ${use.value}`;
  const by =
    use.acceptedBy.length === 0
      ? 'run by no release'
      : use.acceptedBy.length === 1
        ? `run by ${use.acceptedBy[0]} only`
        : `run by ${use.acceptedBy[0]} to ${use.acceptedBy.at(-1)}`;
  return `${use.count} pipeline(s) use ${what}: ${by}`;
}
