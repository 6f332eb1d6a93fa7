import type { Command } from 'commander';
import { type CairnConfig, resolveConfig } from '../config/resolve-config.ts';

/**
 * The configuration a command runs with, from the options `addConfigOptions` declares. Not beside them:
 * resolving loads the config file's and the store URLs' parsers, which only actions need.
 */
export function configFrom(command: Command): CairnConfig {
  const { home, db, artifacts, config } = command.optsWithGlobals<Record<string, string | undefined>>();
  return resolveConfig({ home, db, artifacts, config });
}
