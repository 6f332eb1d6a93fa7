/** Where commands write; injectable so tests run the CLI in-process. */
export interface Output {
  out(line: string): void;
  err(line: string): void;
  /**
   * Writes text or bytes to standard output as they are, with no newline added: streamed logs and
   * downloads. Without it, text goes to `out` and bytes are refused.
   */
  write?(chunk: string | Uint8Array): Promise<void>;
  /** Standard output is a terminal, where progress may be redrawn in place. */
  readonly isTTY?: boolean;
}

/** What a command may touch besides its arguments: kept off `process` so the CLI runs in-process in tests. */
export interface CliContext {
  output: Output;
  /** The status the command wants to exit with when it did not throw. */
  exitCode: number;
}

export const processOutput: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  write: (chunk) =>
    new Promise((resolve, reject) => {
      // Waiting for the write's callback is what keeps a large download from piling up in memory.
      process.stdout.write(chunk, (error) => (error ? reject(error) : resolve()));
    }),
  get isTTY() {
    return process.stdout.isTTY === true;
  },
};
