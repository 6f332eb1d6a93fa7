/**
 * Locks a test holds on MySQL and PostgreSQL from a session of its own, to stop another process (an
 * upgrade run as a child process) at the statement that needs them; and the server's own view of who
 * waits, so that the test knows the process is stopped there before it kills it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import mysql from 'mysql2/promise';
import pg from 'pg';
import type { TestDatabase } from '../../../support/test-databases.ts';

/**
 * MySQL sessions of this database waiting for a lock, with what they wait to run: metadata locks (a table
 * lock, DDL) show in the process list, row locks in innodb_trx. InnoDB refreshes what innodb_trx shows
 * only once it has gone unread for 0.1 s, so it must not be polled faster than MYSQL_POLL_MS.
 */
const MYSQL_POLL_MS = 250;

async function mysqlWaiting(connection: mysql.Connection): Promise<{ id: number; query: string }[]> {
  const [sessions] = await connection.query(
    `select id, state, info from information_schema.processlist
     where db = database() and id <> connection_id() and command = 'Query'`,
  );
  const [rowLockWaits] = await connection.query(
    "select trx_mysql_thread_id as id from information_schema.innodb_trx where trx_state = 'LOCK WAIT'",
  );
  const waitingForRows = new Set((rowLockWaits as { id: number }[]).map((row) => Number(row.id)));
  return (sessions as { id: number; state: string | null; info: string | null }[])
    .filter((row) => row.state?.startsWith('Waiting for table') || waitingForRows.has(Number(row.id)))
    .map((row) => ({ id: Number(row.id), query: String(row.info) }));
}

export interface HeldSession {
  release(): Promise<void>;
}

/**
 * What a held table lock stops in other sessions:
 * - `reads`: everything, reads included (PostgreSQL ACCESS EXCLUSIVE, MySQL WRITE);
 * - `writes`: inserts, updates, deletes and index builds, while reads go on (PostgreSQL EXCLUSIVE,
 *   MySQL READ);
 * - `schema`: only what must have the table to itself, such as dropping one of its indexes (PostgreSQL
 *   ACCESS SHARE, which any plain read takes too; MySQL has no such lock).
 */
export type LockStops = 'reads' | 'writes' | 'schema';

const POSTGRES_MODES: Record<LockStops, string> = {
  reads: 'access exclusive',
  writes: 'exclusive',
  schema: 'access share',
};

export async function holdTableLock(
  database: TestDatabase,
  table: string,
  stops: LockStops,
): Promise<HeldSession> {
  if (database.location.dialect === 'postgres') {
    return holdPostgresTransaction(database, [`lock table ${table} in ${POSTGRES_MODES[stops]} mode`]);
  }
  if (database.location.dialect !== 'mysql') throw new Error('table locks are for MySQL and PostgreSQL');
  if (stops === 'schema') throw new Error('MySQL has no lock that stops only schema changes');
  const connection = await mysql.createConnection(database.url);
  await connection.query(`lock tables ${table} ${stops === 'reads' ? 'write' : 'read'}`);
  return {
    async release() {
      await connection.query('unlock tables');
      await connection.end();
    },
  };
}

/** Runs `statements` in a transaction left open: the rows it wrote stay locked until `release`. */
export async function holdTransaction(database: TestDatabase, statements: string[]): Promise<HeldSession> {
  if (database.location.dialect === 'postgres') return holdPostgresTransaction(database, statements);
  if (database.location.dialect !== 'mysql')
    throw new Error('held transactions are for MySQL and PostgreSQL');
  const connection = await mysql.createConnection(database.url);
  await connection.query('begin');
  for (const statement of statements) await connection.query(statement);
  return {
    async release() {
      await connection.query('rollback');
      await connection.end();
    },
  };
}

async function holdPostgresTransaction(database: TestDatabase, statements: string[]): Promise<HeldSession> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  await client.query('begin');
  for (const statement of statements) await client.query(statement);
  return {
    async release() {
      await client.query('rollback');
      await client.end();
    },
  };
}

/**
 * The statement matching `pattern` that another session of this database waits to run for a lock, once
 * one does; fails after `timeoutMs`. Only the process under test uses the database besides the test.
 */
export async function statementWaitingForLock(
  database: TestDatabase,
  pattern: RegExp,
  timeoutMs = 30_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  const waiting =
    database.location.dialect === 'postgres'
      ? await postgresProbe(
          database,
          `select query from pg_stat_activity
           where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend'
             and wait_event_type = 'Lock'`,
        )
      : await mysqlProbe(database, async (connection) =>
          (await mysqlWaiting(connection)).map((row) => row.query),
        );
  try {
    for (;;) {
      const query = (await waiting.rows()).find((statement) => pattern.test(statement));
      if (query !== undefined) return query;
      if (Date.now() > deadline)
        throw new Error(`nothing waited for a lock to run ${pattern} in ${timeoutMs} ms`);
      await sleep(database.location.dialect === 'mysql' ? MYSQL_POLL_MS : 20);
    }
  } finally {
    await waiting.close();
  }
}

/**
 * Ends the server sessions that wait for a lock, as a server that noticed its client gone would: the
 * statement each was sent never runs.
 */
export async function endWaitingSessions(database: TestDatabase): Promise<void> {
  if (database.location.dialect === 'postgres') {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await client.query(`select pg_terminate_backend(pid) from pg_stat_activity
        where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend'
          and wait_event_type = 'Lock'`);
    } finally {
      await client.end();
    }
    return;
  }
  const connection = await mysql.createConnection(database.url);
  try {
    for (const { id } of await mysqlWaiting(connection)) await connection.query(`kill ${id}`);
  } finally {
    await connection.end();
  }
}

/**
 * Waits until no other session of this database is doing anything. A process killed while it waited
 * for a lock leaves its server session behind; once the lock is free, that session runs the statement
 * it was sent (and commits it, outside a transaction) before it finds its client gone and ends. Waiting
 * for it keeps the next attempt from racing that leftover.
 */
export async function otherSessionsSettled(database: TestDatabase, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const busy =
    database.location.dialect === 'postgres'
      ? await postgresProbe(
          database,
          `select query from pg_stat_activity
           where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend'
             and state <> 'idle'`,
        )
      : await mysqlProbe(database, async (connection) => {
          const [rows] = await connection.query(
            `select info from information_schema.processlist
             where db = database() and id <> connection_id() and command <> 'Sleep'`,
          );
          return (rows as { info: string | null }[]).map((row) => String(row.info));
        });
  try {
    for (;;) {
      const rows = await busy.rows();
      if (rows.length === 0) return;
      if (Date.now() > deadline)
        throw new Error(`sessions still busy after ${timeoutMs} ms: ${rows.join('; ')}`);
      await sleep(20);
    }
  } finally {
    await busy.close();
  }
}

interface Probe {
  rows(): Promise<string[]>;
  close(): Promise<void>;
}

async function postgresProbe(database: TestDatabase, query: string): Promise<Probe> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  return {
    rows: async () => (await client.query<{ query: string }>(query)).rows.map((row) => row.query),
    close: () => client.end(),
  };
}

async function mysqlProbe(
  database: TestDatabase,
  read: (connection: mysql.Connection) => Promise<string[]>,
): Promise<Probe> {
  const connection = await mysql.createConnection(database.url);
  return { rows: () => read(connection), close: () => connection.end() };
}
