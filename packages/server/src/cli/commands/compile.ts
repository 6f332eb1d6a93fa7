import type { Command } from 'commander';
import type { CliContext } from '../output.ts';
import type { CompileCommandOptions } from './compile-action.ts';

export function registerCompile(program: Command, context: CliContext): void {
  program
    .command('compile')
    .description('Compile a pipeline written with the TypeScript SDK to a KFP pipeline spec (YAML or JSON).')
    .argument('<file>', 'TypeScript module that exports the pipeline')
    .option('-o, --output <file>', 'where to write the spec (default: standard output)')
    .option('--pipeline <export>', 'the export to compile when the module has several pipelines')
    .option('--format <format>', 'yaml or json (default: from the output file name, else yaml)')
    .addHelpText(
      'after',
      '\nThe module is imported as Node runs it, so its function components see what they will see when run. ' +
        'The compiled spec is validated before it is written; an invalid spec is not written.\n\n' +
        'Example:\n  cairn compile examples/train-evaluate-deploy.ts -o train-evaluate-deploy.yaml',
    )
    .action(async (file: string, options: CompileCommandOptions) => {
      const { compilePipeline } = await import('./compile-action.ts');
      await compilePipeline(file, options, context);
    });
}
