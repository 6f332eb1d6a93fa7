import { CairnClient } from '@cairn/sdk/api';
import type { Command } from 'commander';
import { CairnError } from '../../errors.ts';
import { DEFAULT_SERVER } from './server-option.ts';

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
