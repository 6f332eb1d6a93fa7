import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { Kysely } from 'kysely';
import type { ArtifactStore } from '../artifacts/artifact-store.ts';
import type { RunTerminations } from '../engine/runs/run-terminations.ts';
import type { MaintenanceWatch } from '../lifecycle/maintenance/maintenance-watch.ts';
import type { StoreDialect } from '../store/dialects/store-dialect.ts';
import type { CairnDatabase } from '../store/tables.ts';

/** The Fastify instance the routes are declared on, typed by their TypeBox schemas. */
export type ApiApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** What the API's handlers work with: the two stores, and what healthz reports. */
export interface ApiDeps {
  readonly db: Kysely<CairnDatabase>;
  readonly dialect: StoreDialect;
  readonly artifactStore: ArtifactStore;
  readonly version: string;
  readonly schemaVersion: number;
  /**
   * The maintenance mode, shared with the process's worker and ticker; absent, the server watches it on
   * its own. Writes are refused while it is not serving.
   */
  readonly maintenance?: MaintenanceWatch;
  /** Where a terminated run is said, for a worker in this process to stop its tasks at once. */
  readonly terminations?: RunTerminations;
}
