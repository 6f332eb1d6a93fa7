import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * Where the shell would find `command`: a name with a `/` is a path (relative to `cwd`), any other name is
 * looked up in the directories of `searchPath` (an empty entry meaning `cwd`). Undefined when there is no
 * executable file there, so a missing program is reported as such rather than as a failed process.
 *
 * @example
 * await findExecutable('sh', '/usr/bin:/bin', '/tmp'); // '/usr/bin/sh'
 */
export async function findExecutable(
  command: string,
  searchPath: string,
  cwd: string,
): Promise<string | undefined> {
  if (command === '') return undefined;
  const candidates = command.includes('/')
    ? [path.resolve(cwd, command)]
    : searchPath.split(':').map((directory) => path.resolve(cwd, directory, command));
  for (const candidate of candidates) {
    if (await isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

async function isExecutableFile(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}
