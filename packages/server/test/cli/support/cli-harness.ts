/** The CLI run in-process against a real API server listening on a random local port. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { buildApiServer } from '../../../src/api/api-server.ts';
import { FsArtifactStore } from '../../../src/artifacts/fs-artifact-store.ts';
import { runCli } from '../../../src/cli/main.ts';
import type { Output } from '../../../src/cli/output.ts';
import { LocalExecutor } from '../../../src/engine/executor/local/local-executor.ts';
import { Worker } from '../../../src/engine/worker/worker.ts';
import type { DialectName, StoreDialect } from '../../../src/store/dialects/store-dialect.ts';
import { LATEST_SCHEMA_VERSION } from '../../../src/store/migrations/index.ts';
import type { CairnDatabase } from '../../../src/store/tables.ts';
import { CAIRN_VERSION } from '../../../src/version.ts';
import { createMigratedDatabase } from '../../support/migrated-database.ts';

export interface CliResult {
  code: number;
  /** Standard output: lines and raw writes, in order. */
  out: string;
  err: string;
}

export interface CaptureOptions {
  isTTY?: boolean;
}

/** An Output that keeps what the command wrote. */
export function captureOutput(options: CaptureOptions = {}): Output & { result(code: number): CliResult } {
  const out: string[] = [];
  const err: string[] = [];
  const decoder = new TextDecoder();
  return {
    out: (line) => out.push(`${line}\n`),
    err: (line) => err.push(`${line}\n`),
    write: async (chunk) => {
      out.push(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
    },
    isTTY: options.isTTY ?? false,
    result: (code) => ({ code, out: out.join(''), err: err.join('') }),
  };
}

/** Runs `cairn ...argv` in-process. */
export async function cli(argv: string[], options: CaptureOptions = {}): Promise<CliResult> {
  const output = captureOutput(options);
  return output.result(await runCli(argv, output));
}

export interface CliServer {
  readonly db: Kysely<CairnDatabase>;
  readonly dialect: StoreDialect;
  /** The server's base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** Runs `cairn ...argv --server <url>`. */
  cli(argv: string[], options?: CaptureOptions): Promise<CliResult>;
  close(): Promise<void>;
}

export interface CliServerOptions {
  /** Runs a worker on the same stores, so submitted runs execute (as under `cairn up`). */
  worker?: boolean;
}

/**
 * An API server as `cairn up` builds it, listening on a random port, on a fresh migrated database and
 * a folder artifact store shared with the optional worker (so task logs written by one are read by the other).
 */
export async function startCliServer(
  dialect: DialectName,
  options: CliServerOptions = {},
): Promise<CliServer> {
  const store = await createMigratedDatabase(dialect);
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'cairn-cli-api-'));
  const artifactsDir = path.join(scratch, 'artifacts');
  const artifactStore = new FsArtifactStore(artifactsDir);
  const app = await buildApiServer(
    {
      db: store.db,
      dialect: store.dialect,
      artifactStore,
      version: CAIRN_VERSION,
      schemaVersion: LATEST_SCHEMA_VERSION,
    },
    { bodyLimitBytes: 1024 * 1024 },
  );
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const worker = options.worker
    ? new Worker(
        {
          db: store.db,
          dialect: store.dialect,
          artifactStore,
          executor: new LocalExecutor(),
          workDir: path.join(scratch, 'work'),
          leaseMs: 10_000,
          defaultPipelineRoot: `file://${artifactsDir}`,
        },
        { concurrency: 4, pollMs: 25, onError: (error) => assert.fail(error as Error) },
      )
    : undefined;
  worker?.start();
  return {
    db: store.db,
    dialect: store.dialect,
    url,
    cli: (argv, cliOptions) => cli([...argv, '--server', url], cliOptions),
    async close() {
      await app.close();
      await worker?.stop();
      await store.close();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

/** A port nothing listens on: one the system just handed out and took back. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
