/**
 * The tables a copy of the metadata moves (a backup, a restore, a storage move), in the order their rows
 * can be inserted: every table after the tables its foreign keys reference.
 *
 * The migrator's history table is not among them: a target's schema is made by running the migrations
 * there, never copied.
 */
import { CAIRN_TABLES } from '../../store/tables.ts';

type Tables = typeof CAIRN_TABLES;
export type CairnTableName = keyof Tables;

export interface CopyTable {
  readonly name: CairnTableName;
  /**
   * Unique, non-null columns that order the copy, so it can be read in batches and resumed after any row
   * (keyset pagination). The primary key, except where noted.
   */
  readonly key: readonly string[];
  /** The other tables this one's foreign keys reference (see the migrations). */
  readonly parents: readonly CairnTableName[];
}

type TableFacts = {
  [T in CairnTableName]: {
    readonly key: readonly (keyof Tables[T] & string)[];
    readonly parents: readonly CairnTableName[];
  };
};

/** Keys and foreign keys as migrations 0001 to 0011 declare them; a test compares them with the live schema. */
const TABLE_FACTS: TableFacts = {
  pipelines: { key: ['id'], parents: [] },
  pipeline_versions: { key: ['id'], parents: ['pipelines'] },
  experiments: { key: ['id'], parents: [] },
  recurring_runs: { key: ['id'], parents: ['experiments', 'pipeline_versions'] },
  runs: { key: ['id'], parents: ['experiments', 'pipelines', 'pipeline_versions', 'recurring_runs'] },
  run_state_history: { key: ['run_id', 'seq'], parents: ['runs'] },
  // Not the primary key (id) but the unique (run_id, path): a task's parent_task_id references another
  // task of its run, whose path is a prefix of its own ("root/loop" then "root/loop/0"), so this order
  // inserts every parent before its children, as the foreign key requires.
  tasks: { key: ['run_id', 'path'], parents: ['runs'] },
  artifacts: { key: ['id'], parents: [] },
  executions: { key: ['id'], parents: ['runs', 'tasks'] },
  events: { key: ['id'], parents: ['executions', 'artifacts'] },
  contexts: { key: ['id'], parents: [] },
  context_artifacts: { key: ['context_id', 'artifact_id'], parents: ['contexts', 'artifacts'] },
  context_executions: { key: ['context_id', 'execution_id'], parents: ['contexts', 'executions'] },
  lifecycle_audit: { key: ['id'], parents: [] },
};

/** Orders the tables parents first, otherwise keeping the order of `CAIRN_TABLES`. */
function dependencyOrder(facts: TableFacts): CopyTable[] {
  const remaining = Object.keys(CAIRN_TABLES) as CairnTableName[];
  const ordered: CopyTable[] = [];
  const placed = new Set<CairnTableName>();
  while (remaining.length > 0) {
    const index = remaining.findIndex((name) => facts[name].parents.every((parent) => placed.has(parent)));
    if (index === -1) throw new Error(`foreign keys form a cycle among ${remaining.join(', ')}`);
    const [name] = remaining.splice(index, 1) as [CairnTableName];
    ordered.push({ name, key: facts[name].key, parents: facts[name].parents });
    placed.add(name);
  }
  return ordered;
}

/** Every Cairn table, parents first. */
export const COPY_TABLES: readonly CopyTable[] = dependencyOrder(TABLE_FACTS);
