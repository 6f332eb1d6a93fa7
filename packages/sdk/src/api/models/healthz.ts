import Type from 'typebox';

/**
 * KFP's `v2beta1GetHealthzResponse`, with what Cairn adds: its version, its schema version and its
 * maintenance mode.
 */
export const Healthz = Type.Object({
  multi_user: Type.Boolean(),
  pipeline_store: Type.String({ description: 'Where pipelines are kept: "database", as in KFP.' }),
  version: Type.String({ description: "Cairn's version." }),
  schema_version: Type.Integer({ description: 'The metadata schema version the database is at.' }),
  maintenance_mode: Type.Union(
    [Type.Literal('SERVING'), Type.Literal('DRAINING'), Type.Literal('STOPPING')],
    {
      description:
        'SERVING normally. DRAINING while an upgrade drains the deployment (or the database belongs to a newer ' +
        'Cairn): writes are refused with 503, running tasks finish, no new ones start. STOPPING: as DRAINING, ' +
        'and running tasks are stopped and queued again, to resume after the upgrade.',
    },
  ),
  maintenance_message: Type.Optional(
    Type.String({ description: 'Why writes are refused, when the mode is not SERVING.' }),
  ),
});
export type Healthz = Type.Static<typeof Healthz>;
