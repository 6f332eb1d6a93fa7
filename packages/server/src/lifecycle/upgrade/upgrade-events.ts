import type { PlanStep, UpgradePlan } from './upgrade-plan.ts';

/** What an upgrade reports as it goes, for the CLI to print. */
export type UpgradeEvent =
  | { readonly kind: 'plan'; readonly plan: UpgradePlan; readonly resumed: boolean }
  | { readonly kind: 'step-start'; readonly step: PlanStep }
  | { readonly kind: 'step-end'; readonly step: PlanStep }
  | { readonly kind: 'progress'; readonly step: PlanStep; readonly message: string }
  | { readonly kind: 'notes'; readonly notes: readonly string[] };
