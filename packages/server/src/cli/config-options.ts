import { type Command, Option } from 'commander';

/** The options every command takes; commander accepts them before or after the subcommand. */
export function addConfigOptions(program: Command): Command {
  return program
    .addOption(
      new Option('--home <dir>', 'data directory of the embedded default (env CAIRN_HOME; default ./.cairn)'),
    )
    .addOption(
      new Option(
        '--db <url>',
        'metadata database URL: sqlite:///path, mysql://user:pass@host:port/db, postgres://... (env CAIRN_DB)',
      ),
    )
    .addOption(
      new Option(
        '--artifacts <url>',
        'artifact store URL: file:///path or s3://bucket/prefix?endpoint=...&region=... (env CAIRN_ARTIFACTS)',
      ),
    )
    .addOption(
      new Option('--config <file>', 'configuration file (env CAIRN_CONFIG; default ./cairn.yaml if present)'),
    );
}
