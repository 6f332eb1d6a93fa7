import type { UpgradePlan } from '@cairn/sdk/api';
import type { UpgradePlan as Plan } from '../../lifecycle/upgrade/upgrade-plan.ts';

const time = (ms: number) => new Date(ms).toISOString();
const upper = <T extends string>(value: string) => value.toUpperCase().replace('-', '_') as T;

/** An upgrade plan as the API and `cairn admin upgrade status -o json` show it. */
export function planToWire(plan: Plan): UpgradePlan {
  return {
    plan_id: plan.id,
    kind: upper(plan.kind),
    state: upper(plan.state),
    ...(plan.fromRelease === null ? {} : { from_release: plan.fromRelease }),
    ...(plan.toRelease === null ? {} : { to_release: plan.toRelease }),
    from_schema: plan.fromSchema,
    to_schema: plan.toSchema,
    cairn_version: plan.cairnVersion,
    ...(plan.backup === null ? {} : { backup: plan.backup }),
    ...(plan.error === null ? {} : { error: plan.error }),
    owner: plan.owner,
    heartbeat_at: time(plan.heartbeatAt),
    created_at: time(plan.createdAt),
    ...(plan.finishedAt === null ? {} : { finished_at: time(plan.finishedAt) }),
    steps: plan.steps.map((step) => ({
      seq: step.seq,
      phase: upper(step.phase),
      name: step.name,
      state: upper(step.state),
      ...(step.detail === null ? {} : { detail: step.detail }),
      ...(step.startedAt === null ? {} : { started_at: time(step.startedAt) }),
      ...(step.finishedAt === null ? {} : { finished_at: time(step.finishedAt) }),
    })),
  };
}
