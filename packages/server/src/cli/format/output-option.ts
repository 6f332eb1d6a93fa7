import { type Command, Option } from 'commander';

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
