import type { Command } from 'commander';
import type { CliContext } from '../output.ts';

export function registerValidate(program: Command, context: CliContext): void {
  program
    .command('validate')
    .description(
      'Check compiled pipeline files (KFP pipeline spec, YAML or JSON) and report every problem found.',
    )
    .argument('<file...>', 'pipeline files to check')
    .option('-o, --output <format>', 'text or json', 'text')
    .option('--strict', 'treat warnings (such as fields Cairn does not know) as errors')
    .addHelpText(
      'after',
      '\nEach problem is printed with its path in the document, e.g. root.dag.tasks.train.componentRef.name. ' +
        'Exit status: 0 when every file is valid, 1 when any is not, 2 when the command line is wrong.',
    )
    .action(async (files: string[], options: { output: string; strict?: boolean }) => {
      const { validateFiles } = await import('./validate-action.ts');
      await validateFiles(files, options, context);
    });
}
