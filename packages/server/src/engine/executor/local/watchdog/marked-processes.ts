import { readdirSync, readFileSync } from 'node:fs';

/**
 * The variable every task process is started with, naming the watchdog that guards it. A task's children
 * inherit it, so they can be found even after they left the task's process group.
 */
export const WATCHDOG_MARKER_ENV = 'CAIRN_TASK_WATCHDOG';

/**
 * The processes started with `WATCHDOG_MARKER_ENV=marker` in their environment, found through Linux's
 * `/proc/<pid>/environ` (the environment a process was started with). Elsewhere, or for processes of
 * other users, nothing is found.
 *
 * @example
 * for (const pid of markedProcesses(marker)) process.kill(pid, 'SIGKILL');
 */
export function markedProcesses(marker: string): number[] {
  const entry = Buffer.from(`${WATCHDOG_MARKER_ENV}=${marker}\0`);
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  const found: number[] = [];
  for (const name of names) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    let environ: Buffer;
    try {
      environ = readFileSync(`/proc/${name}/environ`);
    } catch {
      // Gone since the listing, or not ours to read.
      continue;
    }
    for (let at = environ.indexOf(entry); at !== -1; at = environ.indexOf(entry, at + 1)) {
      if (at === 0 || environ[at - 1] === 0) {
        found.push(Number(name));
        break;
      }
    }
  }
  return found;
}
