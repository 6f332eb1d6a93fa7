/**
 * The process spawner (see `process-spawner.ts`): `node spawner-main.ts`, started by a worker.
 *
 * It reads requests on stdin (see `spawner-protocol.ts`) and starts each process in a process group and
 * session of its own, with its output on pipes that it forwards to its stdout. When a process's leader
 * exits, it kills the rest of the group, as a container's processes die with its main process; output
 * pipes still held by a process that left the group are closed by force a little later. It exits when
 * its stdin ends: the worker is gone, and the worker's watchdog kills the tasks that were running.
 *
 * It imports nothing but Node's own modules and the protocol, so that it starts quickly and stays small:
 * starting a process copies the memory map of the process that starts it.
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import {
  eventFrame,
  OUTPUT,
  type OutputKind,
  outputFrame,
  type SpawnerEvent,
  type SpawnerRequest,
  type SpawnRequest,
} from './spawner-protocol.ts';

/**
 * After the leader has exited, its output pipes may still be held by a process that left the group
 * (`setsid`); they are closed by force after this long.
 */
const PIPE_GRACE_MS = 2000;

interface Running {
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  /** The outputs the worker asked to pause. */
  readonly paused: Set<OutputKind>;
}

const running = new Map<number, Running>();
/** The worker is not reading as fast as the processes print: every output waits. */
let congested = false;

function send(frame: Buffer): void {
  if (process.stdout.write(frame) || congested) return;
  congested = true;
  flowAll();
  process.stdout.once('drain', () => {
    congested = false;
    flowAll();
  });
}

const tell = (id: number, event: SpawnerEvent) => send(eventFrame(id, event));

function outputs({ child }: Running): [OutputKind, Readable][] {
  return [
    [OUTPUT.stdout, child.stdout],
    [OUTPUT.stderr, child.stderr],
  ];
}

function flow(target: Running): void {
  for (const [kind, stream] of outputs(target)) {
    if (congested || target.paused.has(kind)) stream.pause();
    else stream.resume();
  }
}

function flowAll(): void {
  for (const target of running.values()) flow(target);
}

function killGroup(pgid: number): void {
  // Never 1 or less: kill(-1) would signal every process this user may signal.
  if (pgid <= 1) return;
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // ESRCH: the group is already gone.
  }
}

function start({ id, file, args, cwd, env }: SpawnRequest): void {
  let child: ChildProcessByStdio<null, Readable, Readable>;
  try {
    child = spawn(file, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    tell(id, { failed: { message: (error as Error).message, code: (error as NodeJS.ErrnoException).code } });
    return;
  }
  child.on('error', (error: NodeJS.ErrnoException) => {
    // After the start, errors concern signalling, which the worker does itself; before it, the start failed.
    if (running.has(id)) return;
    tell(id, {
      failed: { message: error.message, ...(error.code === undefined ? {} : { code: error.code }) },
    });
  });
  child.once('spawn', () => {
    const started: Running = { child, paused: new Set() };
    running.set(id, started);
    for (const [kind, stream] of outputs(started)) {
      stream.on('data', (bytes: Buffer) => send(outputFrame(id, kind, bytes)));
    }
    flow(started);
    tell(id, { spawned: child.pid ?? 0 });
    child.once('exit', (code, signal) => {
      killGroup(child.pid ?? 0);
      tell(id, { exited: { code, signal } });
      const forceClose = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
      }, PIPE_GRACE_MS);
      child.once('close', () => {
        clearTimeout(forceClose);
        running.delete(id);
        tell(id, { closed: true });
      });
    });
  });
}

function handle(request: SpawnerRequest): void {
  if (request.op === 'spawn') {
    start(request);
    return;
  }
  const target = running.get(request.id);
  if (target === undefined) return;
  if (request.op === 'pause') target.paused.add(request.stream);
  else target.paused.delete(request.stream);
  flow(target);
}

let pending = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  pending += chunk;
  for (let end = pending.indexOf('\n'); end !== -1; end = pending.indexOf('\n')) {
    const line = pending.slice(0, end);
    pending = pending.slice(end + 1);
    handle(JSON.parse(line) as SpawnerRequest);
  }
});
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
// The worker is gone when nobody reads any more; its watchdog ends the tasks.
process.stdout.on('error', () => process.exit(0));
