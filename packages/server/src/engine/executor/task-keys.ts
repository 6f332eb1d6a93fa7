/**
 * Where a task's outputs and logs live in the artifact store, in KFP's layout
 * `<pipeline>/<run-id>/<task>/<output>` under the pipeline root. Every executor writes there, and the API
 * reads from there, so the keys are computed in one place.
 */
import { outputArtifactKey, validateArtifactKey } from '../../artifacts/artifact-key.ts';
import type { ExecutableTask } from './task-executor.ts';

/** The name of the root DAG in task paths, left out of keys since every path starts with it. */
const ROOT_SEGMENT = 'root';
/**
 * A task's logs sit beside its outputs in this folder. Output names are identifiers, so no output can
 * be called this; the artifact store reserves `.cairn-` only as a key's first segment, which this is not.
 */
const LOGS_FOLDER = '.cairn-logs';

type TaskNames = Pick<ExecutableTask, 'pipelineName' | 'runId' | 'taskPath'>;

/**
 * The task's segment of its keys: its path below the root DAG, segments joined with `.`, so that a
 * top-level task is just its name (as in KFP) and iterations or tasks of nested DAGs stay apart.
 *
 * @example
 * taskKeySegment('root/train'); // 'train'
 * taskKeySegment('root/for-loop-2/3/train'); // 'for-loop-2.3.train'
 */
export function taskKeySegment(taskPath: string): string {
  const segments = taskPath.split('/').filter((segment) => segment !== '');
  const below = segments[0] === ROOT_SEGMENT && segments.length > 1 ? segments.slice(1) : segments;
  return below.join('.');
}

/**
 * The key of one output artifact of a task. Throws ARTIFACT_KEY_INVALID when a name cannot be a key
 * segment (a pipeline name starting with `.cairn-`, a name with `/`, ...).
 *
 * @example
 * taskOutputKey({ pipelineName: 'hello', runId: 'r1', taskPath: 'root/train' }, 'model'); // 'hello/r1/train/model'
 */
export function taskOutputKey(task: TaskNames, outputName: string): string {
  return outputArtifactKey({
    pipelineName: task.pipelineName,
    runId: task.runId,
    taskName: taskKeySegment(task.taskPath),
    outputName,
  });
}

/**
 * The key of the log of one attempt of a task: `<pipeline>/<run-id>/<task>/.cairn-logs/<attempt>.log`.
 * While the task runs, the log grows as chunk objects beside it (see `log-chunks.ts`).
 *
 * @example
 * taskLogKey({ pipelineName: 'hello', runId: 'r1', taskPath: 'root/train' }, 0); // 'hello/r1/train/.cairn-logs/0.log'
 */
export function taskLogKey(task: TaskNames, attempt: number): string {
  if (!Number.isSafeInteger(attempt) || attempt < 0) {
    throw new RangeError(`attempt ${attempt} is not a non-negative integer`);
  }
  return validateArtifactKey(`${taskOutputKey(task, LOGS_FOLDER)}/${attempt}.log`);
}
