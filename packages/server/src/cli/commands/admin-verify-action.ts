import os from 'node:os';
import type { Command } from 'commander';
import { openArtifactStore } from '../../artifacts/artifact-store-url.ts';
import { verifySummary } from '../../lifecycle/verify/describe-verify-report.ts';
import { type VerifyProgress, verifyDeployment } from '../../lifecycle/verify/verify-deployment.ts';
import { PROBLEM_HINTS, type ProblemKind, type VerifyReport } from '../../lifecycle/verify/verify-report.ts';
import { connectDatabase } from '../../store/connect-database.ts';
import { describeDatabase } from '../../store/database-url.ts';
import { configFrom } from '../command-config.ts';
import { printData } from '../format/output-format.ts';
import type { OutputFormat } from '../format/output-option.ts';
import { formatTable } from '../format/table.ts';
import type { CliContext, Output } from '../output.ts';

export interface VerifyCommandOptions {
  fix?: boolean;
  hash: boolean;
  grace: number;
  concurrency: number;
  output: OutputFormat;
}

function actorName(): string | undefined {
  try {
    return os.userInfo().username;
  } catch {
    // No passwd entry for this uid (common in containers).
    return process.env.USER;
  }
}

/**
 * Progress on standard error for a person at a terminal, so that a long verify shows it is alive; scripts
 * and pipes get the report alone.
 */
function progressPrinter(output: Output): (event: VerifyProgress) => void {
  return (event) => {
    if (event.phase === 'start') output.err(`verify: checking ${event.check}`);
    else if (event.phase === 'progress') {
      output.err(
        `verify: ${event.count} ${event.check === 'artifacts' ? 'artifacts checked' : 'objects listed'}`,
      );
    }
  };
}

/** The checks, then the problems with what --fix did, then what to do about each kind, then the verdict. */
function reportLines(report: VerifyReport, database: string): string[] {
  const lines = [`metadata store  ${database}`, `artifact store  ${report.artifactStore}`, ''];
  lines.push(
    ...formatTable(report.checks, [
      { header: 'CHECK', value: (check) => check.name },
      { header: 'RESULT', value: (check) => check.status },
      { header: 'PROBLEMS', value: (check) => String(check.problems) },
      { header: 'NOTE', value: (check) => check.note },
    ]),
  );
  if (report.problems.length > 0) {
    const fixColumn = report.options.fix
      ? [
          {
            header: 'FIX',
            value: (problem: VerifyReport['problems'][number]) =>
              problem.fix === undefined
                ? ''
                : problem.fix.action === 'quarantined'
                  ? `moved to ${problem.fix.to}`
                  : `failed: ${problem.fix.error}`,
          },
        ]
      : [];
    lines.push(
      '',
      ...formatTable(report.problems, [
        { header: 'KIND', value: (problem) => problem.kind },
        ...fixColumn,
        { header: 'PROBLEM', value: (problem) => problem.message },
      ]),
    );
  }
  for (const [kind, count] of Object.entries(report.omitted)) {
    lines.push(`... and ${count} more ${kind} not listed`);
  }
  const kinds = new Set<ProblemKind>([
    ...report.problems.map((problem) => problem.kind),
    ...(Object.keys(report.omitted) as ProblemKind[]),
  ]);
  if (kinds.size > 0) {
    lines.push('', 'What to do:');
    for (const kind of kinds) lines.push(`  ${kind}: ${PROBLEM_HINTS[kind]}`);
  }
  lines.push('', `verify: ${verifySummary(report)}`);
  return lines;
}

/** The report as the CLI's JSON and YAML show it: snake_case keys, like the API and `admin status`. */
function snakeCaseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeCaseKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`),
      snakeCaseKeys(inner),
    ]),
  );
}

export async function verify(
  options: VerifyCommandOptions,
  command: Command,
  context: CliContext,
): Promise<void> {
  const { output } = context;
  const config = configFrom(command);
  const handle = await connectDatabase(config.db.value);
  const store = openArtifactStore(config.artifacts.value, config.s3Credentials);
  try {
    const actor = actorName();
    const report = await verifyDeployment({
      db: handle.db,
      dialect: handle.dialect,
      artifacts: store,
      fix: options.fix === true,
      hash: options.hash,
      concurrency: options.concurrency,
      orphanGraceMs: options.grace,
      ...(actor === undefined ? {} : { actor }),
      ...(options.output === 'table' && output.isTTY === true ? { onProgress: progressPrinter(output) } : {}),
    });
    const database = describeDatabase(config.db.value);
    printData(output, options.output, snakeCaseKeys({ database, ...report }), () =>
      reportLines(report, database),
    );
    if (report.outcome !== 'clean') context.exitCode = 1;
  } finally {
    await store.close();
    await handle.close();
  }
}
