import type { Output } from '../output.ts';

/**
 * Text arriving in chunks, written line by line behind a prefix (`train | `), so the logs of tasks
 * running at once interleave by whole lines.
 */
export class PrefixedLines {
  readonly #prefix: string;
  readonly #output: Output;
  #pending = '';

  constructor(prefix: string, output: Output) {
    this.#prefix = prefix;
    this.#output = output;
  }

  write(text: string): void {
    const lines = (this.#pending + text).split('\n');
    this.#pending = lines.pop() ?? '';
    for (const line of lines) this.#output.out(`${this.#prefix}${line}`);
  }

  /** The last line, when the text did not end with a newline. */
  end(): void {
    if (this.#pending !== '') this.#output.out(`${this.#prefix}${this.#pending}`);
    this.#pending = '';
  }
}

/** Writes text as it comes: raw when the output can, else (tests' plain outputs) line by line. */
export function rawWriter(output: Output): { write(text: string): Promise<void>; end(): void } {
  if (output.write !== undefined) {
    return {
      write: async (text) => {
        await output.write?.(text);
      },
      end: () => {},
    };
  }
  const lines = new PrefixedLines('', output);
  return {
    write: async (text) => lines.write(text),
    end: () => lines.end(),
  };
}
