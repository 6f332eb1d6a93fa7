import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { planToWire } from '../../api/wire/upgrade-plan-wire.ts';
import { CairnError } from '../../errors.ts';
import {
  type PlanPreview,
  previewUpgrade,
  runUpgrade,
  type UpgradeRequest,
} from '../../lifecycle/upgrade/run-upgrade.ts';
import type { UpgradeEvent } from '../../lifecycle/upgrade/upgrade-events.ts';
import { type PlanStep, PlanStore, type UpgradePlan } from '../../lifecycle/upgrade/upgrade-plan.ts';
import { configFrom } from '../command-config.ts';
import { printData } from '../format/output-format.ts';
import type { OutputFormat } from '../format/output-option.ts';
import type { Output } from '../output.ts';
import { withStores } from '../with-stores.ts';

export interface PlanCommandOptions {
  to?: string;
  dryRun?: boolean;
  yes?: boolean;
  backup: boolean;
  backupDir?: string;
  drainTimeout: number;
}

function time(ms: number | null): string {
  return ms === null ? '' : new Date(ms).toISOString();
}

function stepLine(step: PlanStep): string {
  const took =
    step.startedAt !== null && step.finishedAt !== null
      ? ` (${((step.finishedAt - step.startedAt) / 1000).toFixed(1)} s)`
      : '';
  const detail = step.detail ? `: ${step.detail}` : '';
  return `  ${step.state.padEnd(7)} ${step.phase.padEnd(9)} ${step.name}${took}${detail}`;
}

function printPlan(plan: UpgradePlan, output: Output): void {
  output.out(
    `plan ${plan.id}: ${plan.kind} from schema ${plan.fromSchema}${plan.fromRelease ? ` (${plan.fromRelease})` : ''} ` +
      `to ${plan.toSchema}${plan.toRelease ? ` (${plan.toRelease})` : ''}, ${plan.state}`,
  );
  output.out(`  started ${time(plan.createdAt)} by ${plan.owner} (Cairn ${plan.cairnVersion})`);
  if (plan.finishedAt !== null) output.out(`  finished ${time(plan.finishedAt)}`);
  if (plan.backup) output.out(`  backup ${plan.backup}`);
  if (plan.error) output.out(`  error: ${plan.error}`);
  for (const step of plan.steps) output.out(stepLine(step));
}

function printPreview(preview: PlanPreview, output: Output): void {
  if (preview.unfinished) {
    output.out(
      `an unfinished ${preview.unfinished.kind} (plan ${preview.unfinished.id}) would be continued first; ` +
        'see `cairn admin upgrade status`',
    );
  }
  output.out(`dry run: schema ${preview.fromSchema} to ${preview.toSchema}; nothing is changed`);
  output.out('steps:');
  for (const step of preview.steps) output.out(`  ${step.phase.padEnd(9)} ${step.name}`);
  output.out(preview.notes.length === 0 ? 'notes: none' : 'notes:');
  for (const note of preview.notes) output.out(`  - ${note}`);
  output.out('sql:');
  if (preview.sql.length === 0) output.out('  -- nothing: the schema is already at the target');
  for (const step of preview.sql) {
    output.out(`  -- ${step.name} (${step.direction})`);
    for (const statement of step.statements) output.out(`  ${statement.sql};`);
  }
}

/** Asks on a terminal; elsewhere only --yes confirms, so a script never hangs on a prompt. */
async function confirmNotes(notes: readonly string[], yes: boolean): Promise<boolean> {
  if (yes) return true;
  if (!process.stdin.isTTY) {
    throw new CairnError(
      'UPGRADE_REFUSED',
      'the notes above must be confirmed: run again with --yes (standard input is not a terminal)',
    );
  }
  const prompt = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await prompt.question(
      `${notes.length === 0 ? '' : 'Read the notes above. '}Continue? [y/N] `,
    );
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    prompt.close();
  }
}

function printEvent(event: UpgradeEvent, output: Output): void {
  switch (event.kind) {
    case 'plan':
      output.out(
        `${event.resumed ? 'continuing' : 'starting'} ${event.plan.kind} plan ${event.plan.id}: schema ` +
          `${event.plan.fromSchema} to ${event.plan.toSchema}`,
      );
      return;
    case 'step-start':
      output.out(`${event.step.phase}: ${event.step.name} ...`);
      return;
    case 'step-end':
      output.out(stepLine(event.step));
      return;
    case 'notes':
      output.out(event.notes.length === 0 ? 'no upgrade notes' : 'upgrade notes:');
      for (const note of event.notes) output.out(`  - ${note}`);
      return;
    case 'progress':
      return;
  }
}

export async function runPlan(
  kind: UpgradeRequest['kind'],
  options: PlanCommandOptions,
  command: Command,
  output: Output,
): Promise<void> {
  const config = configFrom(command);
  const request: UpgradeRequest = {
    kind,
    ...(options.to === undefined ? {} : { toRelease: options.to }),
    backup: options.backup,
    backupDir: options.backupDir ?? path.join(config.home.value, 'backups'),
    drainTimeoutMs: options.drainTimeout * 1000,
    confirm: (notes) => confirmNotes(notes, options.yes === true),
    onEvent: (event) => printEvent(event, output),
  };
  await withStores(command, async (handle, store) => {
    const deps = { db: handle.db, dialect: handle.dialect, location: handle.location, store };
    if (options.dryRun) {
      printPreview(await previewUpgrade(deps, request), output);
      return;
    }
    const plan = await runUpgrade(deps, request);
    if (plan.state !== 'succeeded') {
      printPlan(plan, output);
      throw new CairnError(
        'UPGRADE_FAILED',
        `the ${kind} ${plan.state === 'rolled-back' ? 'failed and was rolled back' : 'failed'}: ${plan.error ?? 'see the steps above'}`,
      );
    }
    output.out(`${kind} finished: the database is at schema ${plan.toSchema}`);
  });
}

/** `cairn admin upgrade status`: the latest plan, or with --all every plan. */
export async function printPlans(
  options: { all?: boolean; output: OutputFormat },
  command: Command,
  output: Output,
): Promise<void> {
  await withStores(command, async (handle) => {
    const plans = new PlanStore(handle.db, handle.dialect);
    const shown = options.all
      ? await plans.history(100)
      : [await plans.latest()].filter((plan) => plan !== undefined);
    const wire = shown.map(planToWire);
    printData(output, options.output, options.all ? wire : (wire[0] ?? null), () => {
      const lines: string[] = [];
      const collect = { ...output, out: (line: string) => lines.push(line) };
      if (shown.length === 0) lines.push('no upgrade has run on this database');
      for (const plan of shown) printPlan(plan, collect);
      return lines;
    });
  });
}
