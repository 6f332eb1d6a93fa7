import { readFile } from 'node:fs/promises';
import { checkPipelineText, formatIssue, formatPath, type PlanSummary, type SpecIssue } from '@cairn/spec';
import { CairnError, errorMessage } from '../../errors.ts';
import type { CliContext } from '../output.ts';

/** One file's verdict. `issues` is empty when the file could not be read (`unreadable` says why). */
interface FileCheck {
  file: string;
  valid: boolean;
  pipelineName?: string;
  summary?: PlanSummary;
  unreadable?: string;
  issues: SpecIssue[];
}

async function checkFile(file: string, strict: boolean): Promise<FileCheck> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    return { file, valid: false, unreadable: `cannot read the file: ${errorMessage(error)}`, issues: [] };
  }
  const { pipeline, plan, issues } = checkPipelineText(text);
  const warned = issues.some((issue) => issue.severity === 'warning');
  return {
    file,
    valid: pipeline !== undefined && !(strict && warned),
    ...(pipeline ? { pipelineName: pipeline.spec.pipelineInfo.name, summary: plan.summary } : {}),
    issues,
  };
}

function issueJson(issue: SpecIssue) {
  return {
    code: issue.code,
    document: issue.document === 0 ? 'pipeline_spec' : 'platform_spec',
    path: formatPath(issue.path),
    ...(issue.line === undefined ? {} : { line: issue.line, column: issue.column }),
    message: issue.message,
  };
}

function checkJson(check: FileCheck) {
  return {
    file: check.file,
    valid: check.valid,
    ...(check.pipelineName === undefined ? {} : { pipeline_name: check.pipelineName }),
    ...(check.summary === undefined ? {} : { plan: summaryJson(check.summary) }),
    ...(check.unreadable === undefined ? {} : { unreadable: check.unreadable }),
    errors: check.issues.filter((issue) => issue.severity === 'error').map(issueJson),
    warnings: check.issues.filter((issue) => issue.severity === 'warning').map(issueJson),
  };
}

function summaryJson(summary: PlanSummary) {
  return {
    dags: summary.dags,
    tasks: summary.tasks.total,
    loops: summary.iterators,
    conditions: summary.conditions,
    exit_handlers: summary.exitHandlers,
  };
}

/** `4 tasks, 2 loops`: the shape of the pipeline, leaving out what it does not use. */
function describeShape(summary: PlanSummary): string {
  const parts = [plural(summary.tasks.total, 'task')];
  if (summary.iterators > 0) parts.push(plural(summary.iterators, 'loop'));
  if (summary.conditions > 0) parts.push(plural(summary.conditions, 'condition'));
  if (summary.exitHandlers > 0) parts.push(plural(summary.exitHandlers, 'exit handler'));
  return parts.join(', ');
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function checkLines(check: FileCheck): string[] {
  if (check.unreadable !== undefined) return [`${check.file}: invalid: ${check.unreadable}`];
  const errors = check.issues.filter((issue) => issue.severity === 'error').length;
  const warnings = check.issues.length - errors;
  const counts = [errors > 0 ? plural(errors, 'error') : '', warnings > 0 ? plural(warnings, 'warning') : ''];
  const shape = check.summary === undefined ? '' : `: ${describeShape(check.summary)}`;
  const verdict = check.valid ? `ok (pipeline "${check.pipelineName}"${shape})` : 'invalid';
  const summary = [verdict, ...counts.filter(Boolean)].join(', ');
  return [
    `${check.file}: ${summary}`,
    ...check.issues.map((issue) => `  ${issue.severity}: ${formatIssue(issue)}`),
  ];
}

export async function validateFiles(
  files: string[],
  options: { output: string; strict?: boolean },
  context: CliContext,
): Promise<void> {
  if (options.output !== 'text' && options.output !== 'json') {
    throw new CairnError(
      'CONFIG_INVALID',
      `option --output: "${options.output}" is not a format; expected text or json`,
    );
  }
  const checks: FileCheck[] = [];
  for (const file of files) checks.push(await checkFile(file, options.strict === true));
  if (options.output === 'json') {
    const report = { valid: checks.every((check) => check.valid), files: checks.map(checkJson) };
    context.output.out(JSON.stringify(report, null, 2));
  } else {
    for (const check of checks) for (const line of checkLines(check)) context.output.out(line);
  }
  if (checks.some((check) => !check.valid)) context.exitCode = 1;
}
