import type { Kysely } from 'kysely';
import type { StoreDialect } from '../../store/dialects/store-dialect.ts';
import { Migrator } from '../../store/migrator/migrator.ts';
import { HISTORY_TABLE } from '../../store/migrator/schema-history.ts';
import { CAIRN_TABLES, type CairnDatabase } from '../../store/tables.ts';
import type { ProblemList } from './verify-report.ts';

export interface SchemaCheck {
  /**
   * The database is at exactly this code's schema version, with nothing pending, interrupted or unknown,
   * so the other checks, which read the tables as this code knows them, can run. A checksum mismatch or
   * drift does not stop them: they only read.
   */
  readonly current: boolean;
  /**
   * Current, and its history agrees with this code: verify may write its audit row. Cairn never writes
   * to a database whose history disagrees with it (see `incompatibility`).
   */
  readonly writable: boolean;
  readonly note: string;
}

/**
 * Compares the schema history with this code's migrations (the migrator's own status: unknown, pending,
 * interrupted, edited), then, when the history says the schema is current, the live tables and columns
 * with `CAIRN_TABLES`. Tables that are not Cairn's are ignored: the database may be shared.
 */
export async function checkSchema(
  db: Kysely<CairnDatabase>,
  dialect: StoreDialect,
  problems: ProblemList,
): Promise<SchemaCheck> {
  const status = await new Migrator({ db, dialect }).status();
  const add = problems.add.bind(problems, 'schema');
  for (const row of status.unknown) {
    add(
      'schema-newer-than-code',
      `the database records migration "${row.name}" (applied by Cairn ${row.cairn_version}), which this ` +
        `Cairn ${status.codeVersion} does not know; it knows schema versions up to ${status.codeSchemaVersion}`,
      { migration: row.name },
    );
  }
  for (const { row, codeChecksum } of status.checksumMismatches) {
    add(
      'schema-checksum-mismatch',
      `migration "${row.name}" was recorded by Cairn ${row.cairn_version} with checksum ${row.checksum}, ` +
        `but this Cairn's migration of that name has checksum ${codeChecksum}`,
      { migration: row.name },
    );
  }
  for (const row of status.interrupted) {
    add(
      'schema-not-current',
      `migration "${row.name}" was interrupted while ${row.state} ` +
        `(started ${new Date(row.started_at).toISOString()})`,
      { migration: row.name },
    );
  }
  for (const migration of status.pending) {
    const skipped = migration.version < status.databaseSchemaVersion;
    add(
      'schema-not-current',
      skipped
        ? `the database records schema version ${status.databaseSchemaVersion} but not the earlier ` +
            `migration "${migration.name}": its history was altered`
        : `migration "${migration.name}" has not been applied (the database is at schema version ` +
            `${status.databaseSchemaVersion}, this code at ${status.codeSchemaVersion})`,
      { migration: migration.name },
    );
  }
  const current =
    status.unknown.length === 0 && status.pending.length === 0 && status.interrupted.length === 0;
  if (!current) {
    return {
      current,
      writable: false,
      note: `schema version ${status.databaseSchemaVersion}; this code's is ${status.codeSchemaVersion}`,
    };
  }
  await checkLiveTables(db, problems);
  return {
    current,
    writable: status.checksumMismatches.length === 0,
    note: `schema version ${status.databaseSchemaVersion}, ${status.applied.length} migrations recorded`,
  };
}

async function checkLiveTables(db: Kysely<CairnDatabase>, problems: ProblemList): Promise<void> {
  const live = new Map(
    (await db.introspection.getTables())
      .filter((table) => table.name !== HISTORY_TABLE)
      .map((table) => [table.name, new Set(table.columns.map((column) => column.name))]),
  );
  for (const [table, described] of Object.entries(CAIRN_TABLES)) {
    const columns = live.get(table);
    if (columns === undefined) {
      problems.add('schema', 'schema-drift', `table ${table} is missing`, { table });
      continue;
    }
    for (const column of Object.keys(described)) {
      if (!columns.has(column)) {
        problems.add('schema', 'schema-drift', `column ${table}.${column} is missing`, { table, column });
      }
    }
    for (const column of columns) {
      if (!(column in described)) {
        problems.add('schema', 'schema-drift', `column ${table}.${column} is not part of Cairn's schema`, {
          table,
          column,
        });
      }
    }
  }
}
