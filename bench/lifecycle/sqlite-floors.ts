/**
 * What SQLite alone takes for the rows of a backup and of a restore, without Cairn: the least time any
 * backup of dialect-neutral rows, or any restore of them into SQLite, could take on this data, whatever
 * the code around it. Printed beside tar's times, they show what part of the distance to tar is the
 * format's (rows instead of pages) rather than the code's.
 */
import { rmSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { COPY_TABLES } from '../../packages/server/src/lifecycle/rows/copy-tables.ts';

export interface Floor {
  readonly seconds: number;
  readonly rows: number;
}

/** Every row of every table turned into its JSON line by SQLite's `json_object`, in C, sent nowhere. */
export function jsonLinesFloor(file: string): Floor {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    const started = performance.now();
    let rows = 0;
    for (const table of tablesIn(db)) {
      const columns = db.prepare('select name from pragma_table_info(?) order by cid').all(table) as {
        name: string;
      }[];
      const pairs = columns.map(({ name }) => `${literal(name)}, ${identifier(name)}`).join(', ');
      // The lines are made and measured, so SQLite cannot skip making them, and only a number comes back.
      const counted = db
        .prepare(
          `select count(*) as n, sum(length(json_object(${pairs}))) as chars from ${identifier(table)}`,
        )
        .get() as { n: number };
      rows += counted.n;
    }
    return { seconds: (performance.now() - started) / 1000, rows };
  } finally {
    db.close();
  }
}

/**
 * Every row copied by `INSERT … SELECT` into empty tables of the same schema and indexes, in one
 * transaction with no journal, no sync, no foreign-key checks and a 1 GiB page cache: SQLite's own
 * cost of putting the rows into its tables and indexes, with nothing parsed or bound.
 */
export function insertSelectFloor(file: string, target: string): Floor {
  rmSync(target, { force: true });
  const db = new DatabaseSync(target, { enableForeignKeyConstraints: false });
  try {
    db.exec('pragma journal_mode = off; pragma synchronous = off; pragma cache_size = -1048576');
    db.exec(`attach database ${literal(file)} as source`);
    const schema = db
      .prepare(
        `select sql from source.sqlite_master
         where type in ('table', 'index') and sql is not null and name not like 'sqlite_%'`,
      )
      .all() as { sql: string }[];
    for (const { sql } of schema) db.exec(sql);
    const tables = tablesIn(db);
    const started = performance.now();
    let rows = 0;
    db.exec('begin');
    for (const table of tables) {
      // The WHERE keeps SQLite from its transfer optimisation, which copies an identical table's records
      // and index entries as they are: a restore from rows cannot.
      const copied = db
        .prepare(
          `insert into main.${identifier(table)} select * from source.${identifier(table)} where _rowid_ > -9e18`,
        )
        .run();
      rows += Number(copied.changes);
    }
    db.exec('commit');
    return { seconds: (performance.now() - started) / 1000, rows };
  } finally {
    db.close();
    rmSync(target, { force: true });
  }
}

/** The tables a backup holds that exist in the database (in `main`). */
function tablesIn(db: DatabaseSync): string[] {
  return COPY_TABLES.map((table) => table.name).filter(
    (name) =>
      db.prepare(`select 1 from main.sqlite_master where type = 'table' and name = ?`).get(name) !==
      undefined,
  );
}

function identifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
