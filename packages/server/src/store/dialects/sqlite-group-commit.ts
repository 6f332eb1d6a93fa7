import type { DatabaseSync } from 'node:sqlite';
import {
  CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type QueryCompiler,
  type QueryResult,
  SelectQueryNode,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';
import { nodeSqliteDatabase } from './node-sqlite-database.ts';
import type { AnyDb } from './store-dialect.ts';

/**
 * The statement that begins a transaction that may share its commit with others: the one
 * `inWriteTransaction` (engine/leases/write-transaction.ts) runs, alone on its connection hold.
 */
const GROUPED_BEGIN = 'begin immediate';
const MEMBER_SAVEPOINT = 'cairn_grouped_write';
/** A group commits once it holds this many writes, or is this old, even while more could join. */
const MAX_GROUP_WRITES = 32;
const MAX_GROUP_MS = 20;
/**
 * After this many groups of one write in a row, commits stop waiting a turn for company: the writes come
 * one at a time. A single lonely group proves little under load, where a turn sometimes brings no one:
 * stopping after the first one made 15 solo commits of each, half of all commits.
 */
const SOLO_COMMITS_BEFORE_STOPPING = 4;
/** Once stopped, every this many solo commits the next one waits a turn again, to see if groups form. */
const PROBE_EVERY_SOLO_COMMITS = 16;

/**
 * Kysely's SqliteDialect on one node:sqlite connection, with group commit.
 *
 * With `synchronous = full`, each commit waits for the disk to sync the write-ahead log, and node:sqlite
 * waits synchronously, holding the thread: under concurrent writes (run creations, task claims) most of
 * the server's time went to those syncs. Here a write transaction (`begin immediate`) that commits while
 * others wait for the connection releases a savepoint instead, and the next one goes on inside the same
 * open transaction; the last one commits them all at once, with one sync. Each caller's promise settles
 * only after that commit, so a write is acknowledged exactly when it is durable, as before; killed
 * before the commit, none of the group was acknowledged, and none of it is in the database.
 *
 * A grouped write's rollback rolls back to its savepoint, undoing it alone. An error that makes SQLite
 * roll back the whole transaction (a full disk, an I/O error) fails every write of the group.
 *
 * What runs on the connection while a group is open:
 * - reads (`select`) run inside it, and see its writes before they are durable;
 * - anything else (another kind of transaction, a write outside one, a pragma, DDL) commits the group
 *   first, and runs as it would have without it.
 */
export class GroupCommitSqliteDialect implements Dialect {
  readonly #open: () => DatabaseSync;

  /** `open` opens the database, when the first query needs it. */
  constructor(open: () => DatabaseSync) {
    this.#open = open;
  }

  createDriver(): Driver {
    return new GroupCommitDriver(this.#open);
  }

  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler();
  }

  createAdapter(): DialectAdapter {
    return new SerializedSqliteAdapter();
  }

  createIntrospector(db: AnyDb): DatabaseIntrospector {
    return new SqliteIntrospector(db);
  }
}

/** SQLite's adapter, minus Kysely's own connection lock: the driver hands the connection out itself. */
class SerializedSqliteAdapter extends SqliteAdapter {
  override get supportsMultipleConnections(): boolean {
    return true;
  }
}

/** Hands the one connection to one holder at a time, in the order they asked. */
class GroupCommitDriver implements Driver {
  readonly #open: () => DatabaseSync;
  #connection: GroupCommitConnection | undefined;
  readonly #waiting: (() => void)[] = [];
  #held = false;
  #commitScheduled = false;

  constructor(open: () => DatabaseSync) {
    this.#open = open;
  }

  async init(): Promise<void> {
    this.#connection = new GroupCommitConnection(this.#open());
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    // Ownership passes straight from a releasing holder to the next, so #held stays true between them.
    if (this.#held) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#held = true;
    return this.#opened();
  }

  async releaseConnection(): Promise<void> {
    const connection = this.#opened();
    const durable = connection.endHold();
    if (connection.groupOpen) {
      if (connection.groupFull()) connection.commitGroup();
      else if (this.#waiting.length === 0) {
        // With no one waiting, the commit may wait a turn of the event loop: requests whose bytes have
        // come meanwhile get that far and join the group, where otherwise each would commit on its
        // own. That turn is lost where writes come one at a time, so it is waited only while groups form.
        if (connection.groupsForming()) this.#commitSoon(connection);
        else connection.commitGroup();
      }
    }
    const next = this.#waiting.shift();
    if (next === undefined) this.#held = false;
    else next();
    await durable;
  }

  /** Commits the open group at the next turn of the event loop, unless a holder has it by then. */
  #commitSoon(connection: GroupCommitConnection): void {
    if (this.#commitScheduled) return;
    this.#commitScheduled = true;
    setImmediate(() => {
      this.#commitScheduled = false;
      // A holder decides when it lets go of the connection.
      if (!this.#held && connection.groupOpen) connection.commitGroup();
    });
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin'));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`savepoint ${quoted(name)}`));
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`rollback to ${quoted(name)}`));
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`release ${quoted(name)}`));
  }

  async destroy(): Promise<void> {
    this.#connection?.close();
  }

  #opened(): GroupCommitConnection {
    if (this.#connection === undefined) throw new Error('the SQLite driver is not initialized');
    return this.#connection;
  }
}

/** A promise settled by someone else: a grouped write's acknowledgement. */
interface Acknowledgement {
  readonly promise: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

/** Where the current holder's grouped write stands. */
type GroupedWrite = 'none' | 'open' | 'committed';

class GroupCommitConnection implements DatabaseConnection {
  readonly #database: DatabaseSync;
  readonly #statements;
  /** The writes in the open transaction that wait for its commit; undefined when none is open. */
  #group: Acknowledgement[] | undefined;
  #groupOpenedAt = 0;
  #write: GroupedWrite = 'none';
  /** Groups of at most one write committed in a row. */
  #soloCommits = 0;

  constructor(database: DatabaseSync) {
    this.#database = database;
    this.#statements = nodeSqliteDatabase(database);
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    // Control statements are short; a long statement is never one.
    const head = query.sql.length <= 32 ? query.sql.trim().toLowerCase() : '';
    // A holder that goes on after its commit goes on once that commit is durable, or fails with it.
    if (this.#write === 'committed') await this.#commitOwnWrite();
    if (this.#write === 'open') {
      if (head === 'commit' || head === 'end') return this.#commitWrite();
      if (head === 'rollback') return this.#rollbackWrite();
    } else if (head === GROUPED_BEGIN) {
      return this.#beginWrite();
    } else if (this.#group !== undefined && !isRead(query)) {
      this.commitGroup();
    }
    return this.#run(query);
  }

  async *streamQuery<R>(query: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    if (!SelectQueryNode.is(query.query)) throw new Error('SQLite only streams select queries');
    for (const row of this.#statements.prepare(query.sql).iterate(query.parameters)) {
      yield { rows: [row as R] };
    }
  }

  get groupOpen(): boolean {
    return this.#group !== undefined;
  }

  /** Whether recent groups had company, or it is time to look again. */
  groupsForming(): boolean {
    return (
      this.#soloCommits < SOLO_COMMITS_BEFORE_STOPPING || this.#soloCommits % PROBE_EVERY_SOLO_COMMITS === 0
    );
  }

  groupFull(): boolean {
    const group = this.#group ?? [];
    return group.length >= MAX_GROUP_WRITES || Date.now() - this.#groupOpenedAt >= MAX_GROUP_MS;
  }

  /**
   * The holder is done with the connection. Returns what its grouped write, if it committed one, waits
   * for: the commit of the group.
   */
  endHold(): Promise<void> | undefined {
    // A write left open (its holder failed between begin and commit) is undone, alone.
    if (this.#write === 'open') this.#undoWrite();
    let acknowledgement: Acknowledgement | undefined;
    if (this.#write === 'committed' && this.#group !== undefined) {
      acknowledgement = deferred();
      this.#group.push(acknowledgement);
    }
    this.#write = 'none';
    return acknowledgement?.promise;
  }

  close(): void {
    if (this.#group !== undefined) this.commitGroup();
    this.#database.close();
  }

  #run<R>(query: CompiledQuery): QueryResult<R> {
    const statement = this.#statements.prepare(query.sql);
    if (statement.reader) return { rows: statement.all(query.parameters) as R[] };
    const { changes, lastInsertRowid } = statement.run(query.parameters);
    return {
      insertId: lastInsertRowid === undefined ? undefined : BigInt(lastInsertRowid),
      numAffectedRows: changes === undefined ? undefined : BigInt(changes),
      rows: [],
    };
  }

  #exec(text: string): void {
    this.#database.exec(text);
  }

  #beginWrite<R>(): QueryResult<R> {
    if (this.#group === undefined) {
      this.#exec(GROUPED_BEGIN);
      this.#group = [];
      this.#groupOpenedAt = Date.now();
    }
    this.#exec(`savepoint ${MEMBER_SAVEPOINT}`);
    this.#write = 'open';
    return { rows: [] };
  }

  #commitWrite<R>(): QueryResult<R> {
    try {
      this.#exec(`release ${MEMBER_SAVEPOINT}`);
    } catch (error) {
      // The transaction is gone (SQLite rolled it back on an error), and this write with it.
      this.#write = 'none';
      this.#groupLost(error);
      throw error;
    }
    this.#write = 'committed';
    return { rows: [] };
  }

  #commitOwnWrite(): Promise<void> {
    const own = deferred();
    this.#group?.push(own);
    this.commitGroup();
    return own.promise;
  }

  #rollbackWrite<R>(): QueryResult<R> {
    this.#undoWrite();
    this.#write = 'none';
    return { rows: [] };
  }

  #undoWrite(): void {
    if (!this.#database.isTransaction) {
      this.#groupLost(new Error('SQLite rolled the transaction back after an error'));
      return;
    }
    this.#exec(`rollback to ${MEMBER_SAVEPOINT}`);
    this.#exec(`release ${MEMBER_SAVEPOINT}`);
  }

  /** Commits the open transaction, settling the writes that wait for it; never throws. */
  commitGroup(): void {
    const group = this.#group ?? [];
    this.#group = undefined;
    this.#write = 'none';
    this.#soloCommits = group.length > 1 ? 0 : this.#soloCommits + 1;
    try {
      this.#exec('commit');
    } catch (error) {
      this.#rollback();
      fail(group, error);
      return;
    }
    for (const write of group) write.resolve();
  }

  /** The open transaction was rolled back under the writes waiting for its commit: they failed. */
  #groupLost(cause: unknown): void {
    const group = this.#group ?? [];
    this.#group = undefined;
    this.#rollback();
    fail(group, cause);
  }

  #rollback(): void {
    try {
      if (this.#database.isTransaction) this.#exec('rollback');
    } catch {
      // The writes' own failure is what their callers need; SQLite ends a transaction it cannot roll back.
    }
  }
}

function fail(group: readonly Acknowledgement[], cause: unknown): void {
  const message = cause instanceof Error ? cause.message : String(cause);
  for (const write of group) {
    write.reject(
      new Error(`the write was rolled back with the ${group.length} it shared a commit with: ${message}`, {
        cause,
      }),
    );
  }
}

function isRead(query: CompiledQuery): boolean {
  return SelectQueryNode.is(query.query) || /^\s*select\b/i.test(query.sql.slice(0, 16));
}

function deferred(): Acknowledgement {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((settle, fail) => {
    resolve = settle;
    reject = fail;
  });
  return { promise, resolve, reject };
}

function quoted(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}
