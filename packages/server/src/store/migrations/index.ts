import type { Migration } from '../migrator/migration.ts';
import createPipelines from './0001-create-pipelines.ts';
import createExperiments from './0002-create-experiments.ts';
import createRecurringRuns from './0003-create-recurring-runs.ts';
import createRuns from './0004-create-runs.ts';
import createTasks from './0005-create-tasks.ts';
import createLineage from './0006-create-lineage.ts';
import createLifecycleAudit from './0007-create-lifecycle-audit.ts';
import addTaskLostAttempts from './0008-add-task-lost-attempts.ts';
import uniqueRecurringRunSlot from './0009-unique-recurring-run-slot.ts';
import addPipelineTags from './0010-add-pipeline-tags.ts';
import indexRunsForLists from './0011-index-runs-for-lists.ts';

/** Every migration Cairn knows, oldest first. Append only: released migrations are frozen. */
export const MIGRATIONS: readonly Migration[] = [
  createPipelines,
  createExperiments,
  createRecurringRuns,
  createRuns,
  createTasks,
  createLineage,
  createLifecycleAudit,
  addTaskLostAttempts,
  uniqueRecurringRunSlot,
  addPipelineTags,
  indexRunsForLists,
];

/** The schema version this code is written for. */
export const LATEST_SCHEMA_VERSION: number = MIGRATIONS.at(-1)?.version ?? 0;

/**
 * The oldest schema this code writes to: the version of the newest migration that changes tables or
 * columns. The migrations after it only add indexes or statistics, which the code's queries run without
 * (slower). A process of this code keeps writing to a database an upgrade has not yet taken past this
 * version, or a downgrade took back to it, and stops writing to an older one (see
 * `lifecycle/maintenance/maintenance-watch.ts`). Raise it with every migration that changes a table; a
 * test holds it to that.
 */
export const OLDEST_WRITABLE_SCHEMA_VERSION = 10;
