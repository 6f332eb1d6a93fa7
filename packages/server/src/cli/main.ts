import { Command, CommanderError } from 'commander';
import { CairnError } from '../errors.ts';
import { CAIRN_VERSION } from '../version.ts';
import { registerAdminBackup } from './commands/admin-backup.ts';
import { registerAdminMigrate } from './commands/admin-migrate.ts';
import { registerAdminMigrateStorage } from './commands/admin-migrate-storage.ts';
import { registerAdminStatus } from './commands/admin-status.ts';
import { registerAdminUpgrade } from './commands/admin-upgrade.ts';
import { registerAdminVerify } from './commands/admin-verify.ts';
import { registerArtifact } from './commands/artifact.ts';
import { registerCompile } from './commands/compile.ts';
import { registerExperiment } from './commands/experiment.ts';
import { registerPipeline } from './commands/pipeline.ts';
import { registerRecurring } from './commands/recurring.ts';
import { registerRun } from './commands/run.ts';
import { registerUp } from './commands/up.ts';
import { registerValidate } from './commands/validate.ts';
import { registerWorker } from './commands/worker.ts';
import { addConfigOptions } from './config-options.ts';
import { type CliContext, type Output, processOutput } from './output.ts';

function buildProgram(context: CliContext): Command {
  const { output } = context;
  const program = addConfigOptions(
    new Command('cairn')
      .description('Cairn: run Kubeflow Pipelines and keep all of their history.')
      .version(CAIRN_VERSION, '-V, --version')
      .showHelpAfterError()
      .configureHelp({ showGlobalOptions: true })
      .exitOverride()
      .configureOutput({
        writeOut: (text) => output.out(text.trimEnd()),
        writeErr: (text) => output.err(text.trimEnd()),
      }),
  );
  const admin = program
    .command('admin')
    .description('Inspect and change the deployment: status, schema migrations.')
    .exitOverride();
  registerAdminStatus(admin, context);
  registerAdminMigrate(admin, context);
  registerAdminBackup(admin, context);
  registerAdminVerify(admin, context);
  registerAdminUpgrade(admin, context);
  registerAdminMigrateStorage(admin, context);
  registerCompile(program, context);
  registerExperiment(program, context);
  registerPipeline(program, context);
  registerRun(program, context);
  registerRecurring(program, context);
  registerArtifact(program, context);
  registerValidate(program, context);
  registerUp(program, context);
  registerWorker(program, context);
  return program;
}

/**
 * Runs the CLI and returns its exit status instead of exiting, so tests can call it in-process:
 * 0 success, 1 the operation failed, 2 the command line or the configuration is wrong.
 */
export async function runCli(argv: string[], output: Output = processOutput): Promise<number> {
  const context: CliContext = { output, exitCode: 0 };
  try {
    await buildProgram(context).parseAsync(argv, { from: 'user' });
    return context.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are "errors" to commander only because of exitOverride.
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof CairnError) {
      output.err(`cairn: error: ${error.message}`);
      return error.code === 'CONFIG_INVALID' ? 2 : 1;
    }
    // Imported only now so that no start pays for the SDK's client; a failed call to a server has loaded it.
    const { describeApiFailure } = await import('./api/api-failure.ts');
    const apiFailure = describeApiFailure(error);
    if (apiFailure) {
      for (const line of apiFailure) output.err(line);
      return 1;
    }
    throw error;
  }
}
