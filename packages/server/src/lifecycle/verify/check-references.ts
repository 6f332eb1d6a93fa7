import { type Kysely, sql } from 'kysely';
import type { CairnDatabase } from '../../store/tables.ts';
import { cappedRows } from './capped-rows.ts';
import { MAX_PROBLEMS_PER_KIND, type ProblemList } from './verify-report.ts';

type TableName = keyof CairnDatabase;

interface Reference {
  readonly table: TableName;
  readonly column: string;
  readonly target: TableName;
  /** The columns that identify a row of `table`, when it has no `id`. */
  readonly key?: readonly string[];
}

/**
 * Every reference the schema declares a foreign key for. The keys exist on every dialect, yet rows can
 * still dangle: SQLite enforces them only on connections that ask it to (Cairn's do, a `sqlite3` shell
 * does not), and restores load data with the checks off (mysqldump's FOREIGN_KEY_CHECKS=0, pg_restore
 * --disable-triggers). `tasks.cached_from_task_id` is left out on purpose: it records where a cached
 * result came from, and that task may go with its run while the result stays valid.
 */
const REFERENCES: readonly Reference[] = [
  { table: 'pipeline_versions', column: 'pipeline_id', target: 'pipelines' },
  { table: 'recurring_runs', column: 'experiment_id', target: 'experiments' },
  { table: 'recurring_runs', column: 'pipeline_version_id', target: 'pipeline_versions' },
  { table: 'runs', column: 'experiment_id', target: 'experiments' },
  { table: 'runs', column: 'pipeline_id', target: 'pipelines' },
  { table: 'runs', column: 'pipeline_version_id', target: 'pipeline_versions' },
  { table: 'runs', column: 'recurring_run_id', target: 'recurring_runs' },
  { table: 'run_state_history', column: 'run_id', target: 'runs', key: ['run_id', 'seq'] },
  { table: 'tasks', column: 'run_id', target: 'runs' },
  { table: 'tasks', column: 'parent_task_id', target: 'tasks' },
  { table: 'executions', column: 'run_id', target: 'runs' },
  { table: 'executions', column: 'task_id', target: 'tasks' },
  { table: 'events', column: 'execution_id', target: 'executions' },
  { table: 'events', column: 'artifact_id', target: 'artifacts' },
  {
    table: 'context_artifacts',
    column: 'context_id',
    target: 'contexts',
    key: ['context_id', 'artifact_id'],
  },
  {
    table: 'context_artifacts',
    column: 'artifact_id',
    target: 'artifacts',
    key: ['context_id', 'artifact_id'],
  },
  {
    table: 'context_executions',
    column: 'context_id',
    target: 'contexts',
    key: ['context_id', 'execution_id'],
  },
  {
    table: 'context_executions',
    column: 'execution_id',
    target: 'executions',
    key: ['context_id', 'execution_id'],
  },
];

/** A referring run or task is also named by `runId` or `taskId`, as in every other problem about one. */
const ROW_ID_NAME: Partial<Record<TableName, 'runId' | 'taskId'>> = {
  runs: 'runId',
  tasks: 'taskId',
};

/**
 * Finds rows whose references point at no row (one anti-join per reference), and runs that have no
 * pipeline spec to run: neither their own copy nor a pipeline version.
 */
export async function checkReferences(db: Kysely<CairnDatabase>, problems: ProblemList): Promise<void> {
  for (const reference of REFERENCES) await checkReference(db, problems, reference);
  const specless = await cappedRows(
    db,
    db
      .selectFrom('runs')
      .select('id')
      .where('pipeline_spec', 'is', null)
      .where('pipeline_version_id', 'is', null)
      .orderBy('id'),
  );
  for (const { id } of specless.rows) {
    problems.add(
      'references',
      'run-without-spec',
      `run ${id} has no pipeline spec of its own and no pipeline version`,
      { runId: id, table: 'runs', rowId: id, column: 'pipeline_spec' },
    );
  }
  problems.addUnlisted('references', 'run-without-spec', specless.total - specless.rows.length);
}

async function checkReference(
  db: Kysely<CairnDatabase>,
  problems: ProblemList,
  { table, column, target, key = ['id'] }: Reference,
): Promise<void> {
  const referring = sql.ref(`c.${column}`);
  const dangling = sql`from ${sql.table(table)} as c
    left join ${sql.table(target)} as p on p.id = ${referring}
    where ${referring} is not null and p.id is null`;
  // Asked unordered first, as in `cappedRows`: ordering every row by its key costs more than the check.
  const { rows: found } = await sql`select 1 as found ${dangling} limit 1`.execute(db);
  if (found.length === 0) return;
  const { rows } = await sql<Record<string, unknown>>`
    select ${sql.join(key.map((name, index) => sql`${sql.ref(`c.${name}`)} as ${sql.ref(`k${index}`)}`))},
      ${referring} as missing
    ${dangling}
    order by ${sql.join(key.map((name) => sql.ref(`c.${name}`)))}
    limit ${MAX_PROBLEMS_PER_KIND}`.execute(db);
  for (const row of rows) {
    const rowId = key.map((_, index) => String(row[`k${index}`])).join('/');
    const missingId = String(row.missing);
    const idName = ROW_ID_NAME[table];
    problems.add(
      'references',
      'dangling-reference',
      `${table} row ${rowId} refers in ${column} to ${target} row ${missingId}, which does not exist`,
      { table, rowId, column, missingId, ...(idName === undefined ? {} : { [idName]: rowId }) },
    );
  }
  if (rows.length === MAX_PROBLEMS_PER_KIND) {
    const { rows: counted } = await sql<{ n: number | string }>`select count(*) as n ${dangling}`.execute(db);
    problems.addUnlisted('references', 'dangling-reference', Number(counted[0]?.n ?? 0) - rows.length);
  }
}
