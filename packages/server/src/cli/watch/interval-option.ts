import { type Command, Option } from 'commander';
import { positiveInteger } from '../args/positive-integer.ts';

/** How often `--watch` reads the run: often enough to feel live, rarely enough to cost the server nothing. */
const DEFAULT_WATCH_INTERVAL_MS = 500;

/** `--interval`: how often a watch polls the run. */
export function addIntervalOption(command: Command): Command {
  return command.addOption(
    new Option('--interval <ms>', 'how often the run is read while following it, in milliseconds')
      .argParser(positiveInteger)
      .default(DEFAULT_WATCH_INTERVAL_MS),
  );
}
