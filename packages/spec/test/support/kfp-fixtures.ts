import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type LoadedPipeline, loadPipelineText } from '../../src/index.ts';

/** The KFP SDK's compiled pipelines, the compatibility reference (a vendored copy; see its NOTICE.md). */
export const KFP_FIXTURES_DIR = path.resolve(import.meta.dirname, '../../../../fixtures/kfp/ir');

/** Every fixture, as a path relative to KFP_FIXTURES_DIR, sorted. */
export function kfpFixtureNames(): string[] {
  return readdirSync(KFP_FIXTURES_DIR, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.ya?ml$/.test(entry.name))
    .map((entry) => path.relative(KFP_FIXTURES_DIR, path.join(entry.parentPath, entry.name)))
    .sort();
}

export function readKfpFixture(name: string): string {
  return readFileSync(path.join(KFP_FIXTURES_DIR, name), 'utf8');
}

/** A fixture loaded by the loader under test; fails loudly if it does not load, since every fixture must. */
export function loadKfpFixture(name: string): LoadedPipeline {
  const { pipeline, issues } = loadPipelineText(readKfpFixture(name));
  if (pipeline === undefined) throw new Error(`fixture ${name} did not load: ${JSON.stringify(issues)}`);
  return pipeline;
}
