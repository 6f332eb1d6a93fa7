import { randomUUID } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { compile, loadPipelineModule } from '@cairn/sdk';
import { checkPipelineText, formatIssue, hasErrors } from '@cairn/spec';
import { CairnError, errorMessage } from '../../errors.ts';
import type { CliContext } from '../output.ts';

export interface CompileCommandOptions {
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

export async function compilePipeline(
  file: string,
  options: CompileCommandOptions,
  context: CliContext,
): Promise<void> {
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
    throw new CairnError('PIPELINE_INVALID', `the compiled spec of ${file} does not validate:\n${details}`);
  }
  if (options.output === undefined) {
    context.output.out(text.trimEnd());
    return;
  }
  await writeAtomically(options.output, text);
  context.output.err(`wrote ${options.output}`);
}
