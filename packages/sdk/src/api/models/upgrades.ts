import Type from 'typebox';
import { Id, Timestamp } from './common.ts';

/** One step of an upgrade plan, as `cairn admin upgrade status` shows it. Cairn's own, not KFP's. */
export const UpgradeStep = Type.Object({
  seq: Type.Integer(),
  phase: Type.Union(
    ['PREFLIGHT', 'BACKUP', 'DRAIN', 'MIGRATE', 'VERIFY', 'RESUME', 'ROLLBACK'].map((name) =>
      Type.Literal(name),
    ),
  ),
  name: Type.String(),
  state: Type.Union(['PENDING', 'RUNNING', 'DONE', 'SKIPPED', 'FAILED'].map((name) => Type.Literal(name))),
  detail: Type.Optional(Type.String({ description: 'What the step found or did, or why it failed.' })),
  started_at: Type.Optional(Timestamp),
  finished_at: Type.Optional(Timestamp),
});
export type UpgradeStep = Type.Static<typeof UpgradeStep>;

/** An upgrade or downgrade of the deployment's stores, with the state of each of its steps. */
export const UpgradePlan = Type.Object({
  plan_id: Id,
  kind: Type.Union([Type.Literal('UPGRADE'), Type.Literal('DOWNGRADE')]),
  state: Type.Union(
    ['RUNNING', 'SUCCEEDED', 'ROLLING_BACK', 'ROLLED_BACK', 'FAILED'].map((name) => Type.Literal(name)),
    {
      description: 'RUNNING and ROLLING_BACK are unfinished: the next `cairn admin upgrade` continues them.',
    },
  ),
  from_release: Type.Optional(Type.String()),
  to_release: Type.Optional(Type.String()),
  from_schema: Type.Integer(),
  to_schema: Type.Integer(),
  cairn_version: Type.String({ description: 'The Cairn release whose code ran the plan.' }),
  backup: Type.Optional(Type.String({ description: "Where the plan's backup archive was written." })),
  error: Type.Optional(Type.String()),
  owner: Type.String({ description: 'host:pid of the process running it.' }),
  heartbeat_at: Timestamp,
  created_at: Timestamp,
  finished_at: Type.Optional(Timestamp),
  steps: Type.Array(UpgradeStep),
});
export type UpgradePlan = Type.Static<typeof UpgradePlan>;

export const ListUpgradesQuery = Type.Object({
  page_size: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 100, description: 'Newest first; default 10.' }),
  ),
});
export type ListUpgradesQuery = Type.Static<typeof ListUpgradesQuery>;

export const ListUpgradesResponse = Type.Object({ upgrades: Type.Array(UpgradePlan) });
export type ListUpgradesResponse = Type.Static<typeof ListUpgradesResponse>;
