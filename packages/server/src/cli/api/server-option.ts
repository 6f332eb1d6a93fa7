import { CairnClient } from '@cairn/sdk/api';
import { type Command, Option } from 'commander';
import { CairnError } from '../../errors.ts';

/** Where `cairn up` listens unless told otherwise. */
export const DEFAULT_SERVER = 'http://127.0.0.1:8888';

/** `--server` of the commands that talk to a running Cairn; subcommands read it from their group. */
export function addServerOption(command: Command): Command {
  return command.addOption(
    new Option('--server <url>', 'the Cairn server to talk to').env('CAIRN_SERVER').default(DEFAULT_SERVER),
  );
}

/** A client of the server the command line names. */
export function clientFrom(command: Command): CairnClient {
  const { server = DEFAULT_SERVER } = command.optsWithGlobals<{ server?: string }>();
  if (!URL.canParse(server) || !/^https?:$/.test(new URL(server).protocol)) {
    throw new CairnError(
      'CONFIG_INVALID',
      `--server (or CAIRN_SERVER): "${server}" is not an http:// or https:// URL, e.g. ${DEFAULT_SERVER}`,
    );
  }
  return new CairnClient({ baseUrl: server });
}
