import Type from 'typebox';

/** KFP's `v2beta1GetHealthzResponse`, with what Cairn adds: its version and its schema version. */
export const Healthz = Type.Object({
  multi_user: Type.Boolean(),
  pipeline_store: Type.String({ description: 'Where pipelines are kept: "database", as in KFP.' }),
  version: Type.String({ description: "Cairn's version." }),
  schema_version: Type.Integer({ description: 'The metadata schema version the database is at.' }),
});
export type Healthz = Type.Static<typeof Healthz>;
