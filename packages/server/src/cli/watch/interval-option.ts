import { type Command, Option } from 'commander';
import { positiveInteger } from '../task-worker.ts';
import { DEFAULT_WATCH_INTERVAL_MS } from './watch-run.ts';

/** `--interval`: how often a watch polls the run. */
export function addIntervalOption(command: Command): Command {
  return command.addOption(
    new Option('--interval <ms>', 'how often the run is read while following it, in milliseconds')
      .argParser(positiveInteger)
      .default(DEFAULT_WATCH_INTERVAL_MS),
  );
}
