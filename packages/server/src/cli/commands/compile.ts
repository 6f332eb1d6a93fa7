import { randomUUID } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { compile, loadPipelineModule } from '@cairn/sdk';
import { checkPipelineText, formatIssue, hasErrors } from '@cairn/spec';
import type { Command } from 'commander';
import { CairnError, errorMessage } from '../../errors.ts';
import type { CliContext } from '../output.ts';

interface CompileCommandOptions {
  output?: string;
  pipeline?: string;
  format?: string;
}

function formatFor(options: CompileCommandOptions): 'yaml' | 'json' {
  const format = options.format ?? (options.output?.toLowerCase().endsWith('.json') ? 'json' : 'yaml');
  if (format !== 'yaml' && format !== 'json') {
    throw new CairnError(
      'CONFIG_INVALID',
      `option --format: "${format}" is not a format; expected yaml or json`,
    );
  }
  return format;
}

/** Writes beside the target and renames, so an interrupted compile never leaves half a pipeline file. */
async function writeAtomically(file: string, text: string): Promise<void> {
  const temporary = `${file}.${randomUUID()}.tmp`;
  try {
    await writeFile(temporary, text);
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new CairnError('PIPELINE_INVALID', `cannot write ${file}: ${errorMessage(error)}`, {
      cause: error,
    });
  }
}

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
      const format = formatFor(options);
      let text: string;
      try {
        const { target } = await loadPipelineModule(file, options.pipeline);
        text = compile(target, { format });
      } catch (error) {
        throw new CairnError('PIPELINE_INVALID', `cannot compile ${file}: ${errorMessage(error)}`, {
          cause: error,
        });
      }
      const { issues } = checkPipelineText(text);
      if (hasErrors(issues)) {
        const details = issues.map((issue) => `  ${issue.severity}: ${formatIssue(issue)}`).join('\n');
        throw new CairnError(
          'PIPELINE_INVALID',
          `the compiled spec of ${file} does not validate:\n${details}`,
        );
      }
      if (options.output === undefined) {
        context.output.out(text.trimEnd());
        return;
      }
      await writeAtomically(options.output, text);
      context.output.err(`wrote ${options.output}`);
    });
}
