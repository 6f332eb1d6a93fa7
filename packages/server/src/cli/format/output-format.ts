import { type Command, Option } from 'commander';
import { stringify as toYaml } from 'yaml';
import type { Output } from '../output.ts';

export const OUTPUT_FORMATS = ['table', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** `-o/--output` of a command that reads: a table for people, JSON or YAML (the API's objects) for scripts. */
export function addOutputOption(command: Command): Command {
  return command.addOption(
    new Option('-o, --output <format>', 'how to print: table, json or yaml (the API objects, unabridged)')
      .choices(OUTPUT_FORMATS)
      .default('table'),
  );
}

/**
 * Prints what a command read: as JSON or YAML the API's own objects, as a table the lines `table` makes
 * of them.
 */
export function printData(output: Output, format: OutputFormat, data: unknown, table: () => string[]): void {
  switch (format) {
    case 'json':
      output.out(JSON.stringify(data, null, 2));
      return;
    case 'yaml':
      output.out(toYaml(data).trimEnd());
      return;
    case 'table':
      for (const line of table()) output.out(line);
  }
}
