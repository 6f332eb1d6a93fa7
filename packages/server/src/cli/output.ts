/** Where commands write; injectable so tests run the CLI in-process. */
export interface Output {
  out(line: string): void;
  err(line: string): void;
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
};
