import { type Command, Option } from 'commander';

/** Where `cairn up` listens unless told otherwise. */
export const DEFAULT_SERVER = 'http://127.0.0.1:8888';

/** `--server` of the commands that talk to a running Cairn; subcommands read it from their group. */
export function addServerOption(command: Command): Command {
  return command.addOption(
    new Option('--server <url>', 'the Cairn server to talk to').env('CAIRN_SERVER').default(DEFAULT_SERVER),
  );
}
