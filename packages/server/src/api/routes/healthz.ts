import { Healthz } from '@cairn/sdk/api';
import type { ApiApp, ApiDeps } from '../api-app.ts';

export function healthzRoutes(app: ApiApp, deps: ApiDeps): void {
  app.get(
    '/apis/v2beta1/healthz',
    {
      schema: {
        operationId: 'HealthzService_GetHealthz',
        tags: ['HealthzService'],
        response: { 200: Healthz },
      },
    },
    async () => ({
      multi_user: false,
      pipeline_store: 'database',
      version: deps.version,
      schema_version: deps.schemaVersion,
    }),
  );
}
