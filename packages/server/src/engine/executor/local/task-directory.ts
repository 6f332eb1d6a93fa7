import { mkdir, rm, rmdir } from 'node:fs/promises';
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
  /** Input artifacts are downloaded to `inputs/<input>/<index>/<name>`. */
  readonly inputs: string;
  /** Output artifacts are written at `outputs/artifacts/<output>`. */
  readonly artifacts: string;
  /** Output parameters are written to `outputs/parameters/<output>`. */
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
  await rm(root, { recursive: true, force: true });
  const { cwd, home, tmp, inputs, artifacts, parameters } = directory;
  for (const folder of [cwd, home, tmp, inputs, artifacts, parameters])
    await mkdir(folder, { recursive: true });
  return directory;
}

/** Removes the attempt's directory, and its task's and run's directories when nothing else is left in them. */
export async function removeTaskDirectory(directory: TaskDirectory): Promise<void> {
  await rm(directory.root, { recursive: true, force: true });
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
