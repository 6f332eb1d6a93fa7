import { Healthz } from '@cairn/sdk/api';
import type { MaintenanceWatch } from '../../lifecycle/maintenance/maintenance-watch.ts';
import type { ApiApp, ApiDeps } from '../api-app.ts';

export function healthzRoutes(app: ApiApp, deps: ApiDeps, maintenance: MaintenanceWatch): void {
  app.get(
    '/apis/v2beta1/healthz',
    {
      schema: {
        operationId: 'HealthzService_GetHealthz',
        tags: ['HealthzService'],
        response: { 200: Healthz },
      },
    },
    async () => {
      const current = await maintenance.current();
      return {
        multi_user: false,
        pipeline_store: 'database',
        version: deps.version,
        schema_version: deps.schemaVersion,
        maintenance_mode: current.mode.toUpperCase() as Healthz['maintenance_mode'],
        ...(current.mode === 'serving' ? {} : { maintenance_message: current.message }),
      };
    },
  );
}
