/**
 * The watchdog process (see `task-watchdog.ts`): `node watchdog-main.ts <worker pid> <marker>`.
 *
 * It reads `+<pgid>` (guard a task's process group) and `-<pgid>` (the group ended) lines on stdin and,
 * as soon as the worker is gone, SIGKILLs every group still guarded and every process started with the
 * worker's marker, then exits. The worker is gone when stdin reaches its end (the kernel closes the
 * worker's end of the pipe when it dies, however it dies), when this process is handed to another parent,
 * or when the worker's pid no longer exists; the last two are polled in case the first is missed.
 *
 * It imports nothing but Node's own modules and its marker scan, so that it starts quickly.
 */
import { markedProcesses } from './marked-processes.ts';

const POLL_MS = 200;
/** A task may fork while it is being killed; each round catches what the previous one missed. */
const SWEEP_ROUNDS = 5;

const [workerPidText = '', marker = ''] = process.argv.slice(2);
const workerPid = Number(workerPidText);
// The worker may be pid 1, as the main process of a container.
if (!Number.isInteger(workerPid) || workerPid < 1 || marker === '') {
  process.stderr.write('usage: watchdog-main.ts <worker pid> <marker>\n');
  process.exit(2);
}

const groups = new Set<number>();

function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

function reap(): never {
  for (const group of groups) kill(-group);
  for (let round = 0; round < SWEEP_ROUNDS; round++) {
    const marked = markedProcesses(marker);
    if (marked.length === 0) break;
    for (const pid of marked) kill(pid);
  }
  process.exit(0);
}

function workerAlive(): boolean {
  if (process.ppid !== workerPid) return false;
  try {
    process.kill(workerPid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

let pending = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  pending += chunk;
  for (let end = pending.indexOf('\n'); end !== -1; end = pending.indexOf('\n')) {
    const line = pending.slice(0, end);
    pending = pending.slice(end + 1);
    const group = Number(line.slice(1));
    // Never 1 or less: kill(-1) would signal every process this user may signal.
    if (!Number.isInteger(group) || group <= 1) continue;
    if (line.startsWith('+')) groups.add(group);
    else if (line.startsWith('-')) groups.delete(group);
  }
});
process.stdin.on('end', reap);
process.stdin.on('error', reap);
setInterval(() => {
  if (!workerAlive()) reap();
}, POLL_MS);
// Nobody may be reading any more when the worker is gone; that must not stop the watchdog.
process.stdout.on('error', () => {});
if (workerAlive()) process.stdout.write('ready\n');
else reap();
