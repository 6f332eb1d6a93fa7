import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MigrationContext } from './migration-context.ts';

export interface MigrationSteps {
  up(m: MigrationContext): Promise<void>;
  down(m: MigrationContext): Promise<void>;
  /**
   * Why `down` cannot give back what `up` changed (data it dropped or rewrote), for a migration that
   * must not be reverted; `cairn admin downgrade` refuses to cross it and says this. Undefined: reversible.
   */
  readonly irreversible?: string;
}

/** A frozen schema change. Once released its file is never edited: the checksum would refuse it. */
export interface Migration extends MigrationSteps {
  /** The file name without extension, e.g. `0003-create-runs`. */
  readonly name: string;
  /** The schema version the store is at once this migration is applied: its four-digit prefix. */
  readonly version: number;
  /** SHA-256 of the module's source, so an edit after release is detected wherever it was applied. */
  readonly checksum: string;
}

const NAME_PATTERN = /^(\d{4})-[a-z0-9]+(?:-[a-z0-9]+)*$/;

/**
 * Declares the migration defined in the calling module.
 *
 * @example
 * export default defineMigration(import.meta.url, {
 *   async up(m) { await m.addColumn('runs', 'priority', m.types.integer); },
 *   async down(m) { await m.dropColumn('runs', 'priority'); },
 * });
 */
export function defineMigration(moduleUrl: string, steps: MigrationSteps): Migration {
  const file = fileURLToPath(moduleUrl);
  const name = path.basename(file).replace(/\.[cm]?[jt]s$/, '');
  const match = NAME_PATTERN.exec(name);
  if (!match?.[1]) {
    throw new Error(`migration file ${file} must be named NNNN-kebab-case-description`);
  }
  // Line endings are normalised so a checkout with CRLF does not look like an edit.
  const source = readFileSync(file, 'utf8').replace(/\r\n/g, '\n');
  return {
    name,
    version: Number(match[1]),
    checksum: createHash('sha256').update(source).digest('hex'),
    up: steps.up,
    down: steps.down,
    ...(steps.irreversible === undefined ? {} : { irreversible: steps.irreversible }),
  };
}
