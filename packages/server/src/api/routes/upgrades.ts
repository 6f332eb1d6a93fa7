/**
 * The deployment's upgrade and downgrade plans, as `cairn admin upgrade status` shows them: read-only,
 * so an operator (or a dashboard) can follow an upgrade from anywhere the API answers. The plans are
 * written by `cairn admin upgrade`, never over the API.
 */
import { ListUpgradesQuery, ListUpgradesResponse, Status, UpgradePlan } from '@cairn/sdk/api';
import Type from 'typebox';
import { CairnError } from '../../errors.ts';
import { PlanStore } from '../../lifecycle/upgrade/upgrade-plan.ts';
import type { ApiApp, ApiDeps } from '../api-app.ts';
import { isUuid } from '../listing/parse-filter.ts';
import { planToWire } from '../wire/upgrade-plan-wire.ts';

const COLLECTION = '/apis/v2beta1/lifecycle/upgrades';
const tags = ['LifecycleService'];
const DEFAULT_PAGE_SIZE = 10;
const errors = { default: Status };

export function upgradeRoutes(app: ApiApp, { db, dialect }: ApiDeps): void {
  const plans = new PlanStore(db, dialect);
  app.get(
    COLLECTION,
    {
      schema: {
        operationId: 'LifecycleService_ListUpgrades',
        tags,
        querystring: ListUpgradesQuery,
        response: { 200: ListUpgradesResponse, ...errors },
      },
    },
    async (request) => ({
      upgrades: (await plans.history(request.query.page_size ?? DEFAULT_PAGE_SIZE)).map(planToWire),
    }),
  );
  app.get(
    `${COLLECTION}/:plan_id`,
    {
      schema: {
        operationId: 'LifecycleService_GetUpgrade',
        tags,
        params: Type.Object({
          plan_id: Type.String({ description: 'A plan id, or "latest" for the newest plan.' }),
        }),
        response: { 200: UpgradePlan, ...errors },
      },
    },
    async (request) => {
      const { plan_id: id } = request.params;
      const plan = id === 'latest' ? await plans.latest() : isUuid(id) ? await plans.find(id) : undefined;
      if (!plan) {
        throw new CairnError(
          'UPGRADE_NOT_FOUND',
          id === 'latest' ? 'no upgrade has run on this deployment' : `no upgrade plan with id "${id}"`,
        );
      }
      return planToWire(plan);
    },
  );
}
