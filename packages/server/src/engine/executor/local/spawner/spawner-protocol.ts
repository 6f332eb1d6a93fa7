/**
 * How a worker and its process spawner (see `process-spawner.ts`) talk. The worker writes requests to the
 * spawner's stdin, one JSON object a line. The spawner answers on its stdout in frames, each naming the
 * process it is about: events as JSON, and the bytes the process printed, as they were printed.
 */

/** The output streams of a process, as frame kinds. */
export const OUTPUT = { stdout: 1, stderr: 2 } as const;
export type OutputKind = (typeof OUTPUT)[keyof typeof OUTPUT];
const EVENT_KIND = 0;

export type SpawnRequest = {
  readonly op: 'spawn';
  readonly id: number;
  readonly file: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
};

/**
 * `pause` asks the spawner to stop reading one output of a process until `resume`: the worker's reader
 * of it is behind, and the process should wait rather than the worker buffer without bound.
 */
export type FlowRequest = {
  readonly op: 'pause' | 'resume';
  readonly id: number;
  readonly stream: OutputKind;
};

export type SpawnerRequest = SpawnRequest | FlowRequest;

/**
 * What happened to a process, in this order: `spawned` or `failed` (it did not start); then `exited`
 * (the leader ended, and the rest of its group was killed) and `closed` (its output is all sent).
 */
export type SpawnerEvent =
  | { readonly spawned: number }
  | { readonly failed: { readonly message: string; readonly code?: string } }
  | { readonly exited: { readonly code: number | null; readonly signal: NodeJS.Signals | null } }
  | { readonly closed: true };

/** A frame's header: the process's request id (u32), the kind (u8) and the payload's length (u32). */
const HEADER_BYTES = 9;

export function eventFrame(id: number, event: SpawnerEvent): Buffer {
  return frame(id, EVENT_KIND, Buffer.from(JSON.stringify(event)));
}

export function outputFrame(id: number, kind: OutputKind, bytes: Buffer): Buffer {
  return frame(id, kind, bytes);
}

function frame(id: number, kind: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt32BE(id, 0);
  header.writeUInt8(kind, 4);
  header.writeUInt32BE(payload.byteLength, 5);
  return Buffer.concat([header, payload]);
}

export interface FrameHandler {
  event(id: number, event: SpawnerEvent): void;
  output(id: number, kind: OutputKind, bytes: Buffer): void;
}

/** Cuts the spawner's stdout back into frames, however the pipe split it. */
export class FrameReader {
  readonly #handler: FrameHandler;
  #buffered: Buffer = Buffer.alloc(0);

  constructor(handler: FrameHandler) {
    this.#handler = handler;
  }

  push(chunk: Buffer): void {
    let data = this.#buffered.byteLength === 0 ? chunk : Buffer.concat([this.#buffered, chunk]);
    while (data.byteLength >= HEADER_BYTES) {
      const end = HEADER_BYTES + data.readUInt32BE(5);
      if (data.byteLength < end) break;
      const id = data.readUInt32BE(0);
      const kind = data.readUInt8(4);
      const payload = data.subarray(HEADER_BYTES, end);
      if (kind === EVENT_KIND) this.#handler.event(id, JSON.parse(payload.toString('utf8')) as SpawnerEvent);
      else this.#handler.output(id, kind as OutputKind, payload);
      data = data.subarray(end);
    }
    // A copy, so that a partial frame does not keep a whole pipe read alive.
    this.#buffered = Buffer.from(data);
  }
}
