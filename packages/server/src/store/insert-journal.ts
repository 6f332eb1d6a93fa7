import {
  InsertQueryNode,
  type KyselyPlugin,
  type OperationNode,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  PrimitiveValueListNode,
  type QueryId,
  type QueryResult,
  type RootOperationNode,
  SelectQueryNode,
  type UnknownRow,
  ValueListNode,
  ValueNode,
  ValuesNode,
} from 'kysely';

type Row = Readonly<Record<string, unknown>>;

/**
 * A Kysely plugin that keeps the rows inserted through it, table by table, once each insert has
 * succeeded, and notes any other write. A transaction that only inserted rows can then answer with
 * what it inserted instead of reading it back, which on a server costs a round trip. Anything it
 * cannot account for row by row (an update, a delete, an insert that may skip rows or computes a
 * value in SQL, a raw statement) spoils the journal, and the caller reads instead.
 */
export class InsertJournal implements KyselyPlugin {
  readonly #pending = new WeakMap<QueryId, TableInsert[]>();
  readonly #rows = new Map<string, Row[]>();
  #spoiled = false;

  transformQuery({ node, queryId }: PluginTransformQueryArgs): RootOperationNode {
    if (SelectQueryNode.is(node)) return node;
    const inserts = InsertQueryNode.is(node) ? insertsOf(node) : undefined;
    if (inserts === undefined) this.#spoiled = true;
    else this.#pending.set(queryId, inserts);
    return node;
  }

  async transformResult({ queryId, result }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    for (const insert of this.#pending.get(queryId) ?? []) {
      const rows = this.#rows.get(insert.table) ?? [];
      rows.push(...insert.rows);
      this.#rows.set(insert.table, rows);
    }
    return result;
  }

  /**
   * The rows inserted through the journal, table by table in the order they were inserted, when every
   * write through it was a plain insert into one of `tables`; undefined otherwise.
   */
  insertsOnlyInto(tables: readonly string[]): ReadonlyMap<string, readonly Row[]> | undefined {
    if (this.#spoiled || [...this.#rows.keys()].some((table) => !tables.includes(table))) return undefined;
    return this.#rows;
  }
}

interface TableInsert {
  readonly table: string;
  readonly rows: Row[];
}

/**
 * The tables and rows an insert of literal values writes, every row it is given, with those of the
 * inserts inside its WITH (see `insert-together.ts`); undefined for anything else.
 */
function insertsOf(node: InsertQueryNode): TableInsert[] | undefined {
  const inserts: TableInsert[] = [];
  for (const expression of node.with?.expressions ?? []) {
    const inner = InsertQueryNode.is(expression.expression) ? insertsOf(expression.expression) : undefined;
    if (inner === undefined || node.with?.recursive === true) return undefined;
    inserts.push(...inner);
  }
  const own = insertedRows(node);
  return own === undefined ? undefined : [...inserts, own];
}

/** The table and rows of an insert of literal values that writes every row it is given. */
function insertedRows(node: InsertQueryNode): TableInsert | undefined {
  const { into, columns, values } = node;
  if (
    into === undefined ||
    columns === undefined ||
    values === undefined ||
    !ValuesNode.is(values) ||
    node.onConflict !== undefined ||
    node.onDuplicateKey !== undefined ||
    node.orAction !== undefined ||
    node.replace === true ||
    node.endModifiers !== undefined ||
    node.explain !== undefined
  ) {
    return undefined;
  }
  const names = columns.map((column) => column.column.name);
  const rows: Row[] = [];
  for (const item of values.values) {
    const literals = literalValues(item);
    if (literals === undefined || literals.length !== names.length) return undefined;
    rows.push(Object.fromEntries(names.map((name, index) => [name, literals[index]])));
  }
  return { table: into.table.identifier.name, rows };
}

function literalValues(item: OperationNode): readonly unknown[] | undefined {
  if (PrimitiveValueListNode.is(item)) return item.values;
  if (!ValueListNode.is(item)) return undefined;
  const literals: unknown[] = [];
  for (const value of item.values) {
    if (!ValueNode.is(value)) return undefined;
    literals.push(value.value);
  }
  return literals;
}
