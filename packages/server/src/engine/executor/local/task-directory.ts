import { mkdir, rm, rmdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { ExecutableTask } from '../task-executor.ts';
import { TaskFailure } from './task-failure.ts';

/**
 * The directories of one task attempt, under `<base>/<run-id>/<task-id>/<attempt>/`: the process's
 * working directory, HOME and TMPDIR, its downloaded inputs, the files where it leaves its outputs, and the
 * local copy of its log. Only the run's workspace (`{{$.workspace_path}}`) lives outside, shared by the
 * run's tasks as KFP shares a workspace volume.
 */
export interface TaskDirectory {
  readonly root: string;
  /** The process's working directory (empty at the start). */
  readonly cwd: string;
  readonly home: string;
  readonly tmp: string;
  /** Input artifacts are downloaded to `inputs/<input>/<index>/<name>` (created only when there are some). */
  readonly inputs: string;
  /** Output artifacts are written at `outputs/artifacts/<output>` (created when the task declares some). */
  readonly artifacts: string;
  /** Output parameters are written to `outputs/parameters/<output>` (created when the task declares some). */
  readonly parameters: string;
  /** Where the process may write its ExecutorOutput (`{{$.outputs.output_file}}`). */
  readonly outputMetadataFile: string;
  /** The local copy of the log. */
  readonly logSpool: string;
  /** The run's workspace, created only when a task uses it. */
  readonly workspace: string;
}

/**
 * Creates a fresh directory for the attempt, removing whatever an earlier, interrupted run of the same
 * attempt left there.
 */
export async function prepareTaskDirectory(base: string, task: ExecutableTask): Promise<TaskDirectory> {
  const runDirectory = path.resolve(base, pathSegment('run id', task.runId));
  const root = path.join(runDirectory, pathSegment('task id', task.taskId), String(task.attempt));
  const outputs = path.join(root, 'outputs');
  const directory: TaskDirectory = {
    root,
    cwd: path.join(root, 'work'),
    home: path.join(root, 'home'),
    tmp: path.join(root, 'tmp'),
    inputs: path.join(root, 'inputs'),
    artifacts: path.join(outputs, 'artifacts'),
    parameters: path.join(outputs, 'parameters'),
    outputMetadataFile: path.join(outputs, 'output_metadata.json'),
    logSpool: path.join(root, 'task.log'),
    workspace: path.join(runDirectory, 'workspace'),
  };
  // mkdir tells whether it created the directory: only one that was there already needs emptying.
  if ((await mkdir(root, { recursive: true })) === undefined) {
    await rm(root, { recursive: true, force: true });
    await mkdir(root, { recursive: true });
  }
  await Promise.all(taskFolders(directory, task).map((folder) => mkdir(folder, { recursive: true })));
  return directory;
}

/**
 * The folders an attempt starts with: only what it can use, since each is one more to remove when it ends.
 * Inputs are downloaded into folders made as needed; `outputs` holds the ExecutorOutput whatever the task
 * declares.
 */
function taskFolders(directory: TaskDirectory, task: ExecutableTask): string[] {
  const { parameters, artifacts } = task.outputDefinitions;
  const outputs = [
    ...(Object.keys(parameters).length > 0 ? [directory.parameters] : []),
    ...(Object.keys(artifacts).length > 0 ? [directory.artifacts] : []),
  ];
  return [
    directory.cwd,
    directory.home,
    directory.tmp,
    ...(outputs.length > 0 ? outputs : [path.dirname(directory.outputMetadataFile)]),
  ];
}

/** Removes the attempt's directory, and its task's and run's directories when nothing else is left in them. */
export async function removeTaskDirectory(directory: TaskDirectory): Promise<void> {
  await removeAttemptDirectory(directory);
  const taskDirectory = path.dirname(directory.root);
  for (const parent of [taskDirectory, path.dirname(taskDirectory)]) {
    try {
      await rmdir(parent);
    } catch {
      // Not empty: another attempt, task or the run's workspace still uses it.
      return;
    }
  }
}

/** A name used as one directory name: no separators, nothing that climbs out. */
export function pathSegment(what: string, name: string): string {
  if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) {
    throw new TaskFailure(
      `the ${what} ${JSON.stringify(name)} cannot name a directory; expected a name without "/"`,
    );
  }
  return name;
}

/**
 * Most tasks leave their directory as it was made, plus the log's spool: taking that apart directly is
 * two rounds of file operations, where a recursive removal reads and examines every entry first. Anything
 * the task left behind makes a folder's removal fail, and then the whole directory is removed recursively.
 */
async function removeAttemptDirectory(directory: TaskDirectory): Promise<void> {
  const { root, cwd, home, tmp, inputs, outputMetadataFile, logSpool } = directory;
  const folders = [cwd, home, tmp, inputs, path.dirname(outputMetadataFile)];
  const emptied = await Promise.all([
    ...folders.map((folder) => gone(rmdir(folder))),
    gone(unlink(logSpool)),
  ]);
  if (emptied.every(Boolean) && (await gone(rmdir(root)))) return;
  await rm(root, { recursive: true, force: true });
}

/** Whether the removal left nothing there; ENOENT counts, since the task may have removed it itself. */
async function gone(removal: Promise<void>): Promise<boolean> {
  try {
    await removal;
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT';
  }
}
