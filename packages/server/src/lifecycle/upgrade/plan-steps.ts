import type { Migration } from '../../store/migrator/migration.ts';
import type { SchemaStatus } from '../../store/migrator/schema-status.ts';
import type { Phase, PlanKind } from './upgrade-plan.ts';

export interface StepSpec {
  readonly phase: Phase;
  readonly name: string;
}

/** The migrations an upgrade or downgrade from the database's schema to `target` runs, in order. */
export function migrationsToRun(status: SchemaStatus, migrations: readonly Migration[], target: number) {
  const applied = new Set(status.applied.map((row) => row.version));
  const up = migrations.filter((migration) => !applied.has(migration.version) && migration.version <= target);
  const down = migrations.filter((migration) => applied.has(migration.version) && migration.version > target);
  return [
    ...up.map((migration) => ({ migration, direction: 'up' as const })),
    ...down.reverse().map((migration) => ({ migration, direction: 'down' as const })),
  ];
}

export function migrationStepName(migration: Migration, direction: 'up' | 'down'): string {
  return `${migration.name} (${direction})`;
}

/**
 * Every step of a plan, phase by phase. A downgrade drains and verifies as an upgrade does; its notes are
 * the irreversibility check instead of the releases' notes.
 */
export function planSteps(
  kind: PlanKind,
  migrations: readonly { migration: Migration; direction: 'up' | 'down' }[],
  /** Why no backup is taken; undefined: one is. */
  noBackup: string | undefined,
): StepSpec[] {
  const backup = noBackup === undefined;
  return [
    { phase: 'preflight', name: 'stores reachable' },
    { phase: 'preflight', name: 'no other upgrade' },
    { phase: 'preflight', name: 'compatibility' },
    ...(kind === 'downgrade' ? [{ phase: 'preflight' as const, name: 'reversible' }] : []),
    ...(backup ? [{ phase: 'preflight' as const, name: 'disk space' }] : []),
    { phase: 'preflight', name: 'notes confirmed' },
    { phase: 'backup', name: backup ? 'backup' : `backup (skipped: ${noBackup})` },
    { phase: 'drain', name: 'stop new work' },
    { phase: 'drain', name: 'running tasks finish' },
    { phase: 'drain', name: 'remaining tasks stopped' },
    // Counted once nothing writes any more: verify compares with these. Counted before the drain, they
    // would miss what runs in flight write meanwhile, and an upgrade with runs in flight would roll back.
    { phase: 'drain', name: 'row counts' },
    ...migrations.map(({ migration, direction }) => ({
      phase: 'migrate' as const,
      name: migrationStepName(migration, direction),
    })),
    { phase: 'verify', name: 'schema' },
    { phase: 'verify', name: 'row counts' },
    { phase: 'verify', name: 'integrity' },
    { phase: 'resume', name: 'serve' },
  ];
}
