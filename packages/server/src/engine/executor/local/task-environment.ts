import type { ExecutableTask } from '../task-executor.ts';
import type { TaskDirectory } from './task-directory.ts';

/**
 * The server's variables a task inherits unless configured otherwise: what finds programs and sets the
 * locale and time zone. Nothing else (database URLs, cloud credentials) reaches a task by default.
 */
export const DEFAULT_INHERITED_ENV: readonly string[] = [
  'PATH',
  'LANG',
  'LANGUAGE',
  'LC_ALL',
  'LC_CTYPE',
  'TZ',
  'USER',
  'LOGNAME',
];

export interface EnvironmentSources {
  /** Names of the server's variables to pass on. */
  readonly inherit: readonly string[];
  /** The server's environment. */
  readonly server: NodeJS.ProcessEnv;
  /** Variables the executor is configured to add to every task. */
  readonly extra: Readonly<Record<string, string>>;
}

/**
 * A task's environment, in increasing precedence: HOME and TMPDIR in the task's own directory and KFP's
 * variables (KFP_POD_NAME, KFP_POD_UID, KFP_RETRY_INDEX); the server variables named to be inherited (so
 * listing HOME there shares the server's); the executor's configured variables; the container's `env`
 * from the spec, which wins as it does in a pod. The spec's values are used as written: KFP resolves no
 * placeholders in them either.
 *
 * @example
 * const env = taskEnvironment(task, directory, { inherit: DEFAULT_INHERITED_ENV, server: process.env, extra: {} });
 */
export function taskEnvironment(
  task: ExecutableTask,
  directory: TaskDirectory,
  sources: EnvironmentSources,
): Record<string, string> {
  const env: Record<string, string> = {
    HOME: directory.home,
    TMPDIR: directory.tmp,
    // What a KFP pod sets; a local task's "pod" is its attempt.
    KFP_POD_NAME: `${task.taskId}-${task.attempt}`,
    KFP_POD_UID: task.taskId,
    // KFP counts retries from 0 on the first attempt; attempts here count from 1.
    KFP_RETRY_INDEX: String(Math.max(0, task.attempt - 1)),
  };
  for (const name of sources.inherit) {
    const value = sources.server[name];
    if (value !== undefined) env[name] = value;
  }
  Object.assign(env, sources.extra);
  for (const { name, value } of task.container.env ?? []) env[name] = value ?? '';
  return env;
}
