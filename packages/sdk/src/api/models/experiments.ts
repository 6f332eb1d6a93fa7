import Type from 'typebox';
import { Description, ListQuery, Namespace, StorageState, Timestamp } from './common.ts';

/** KFP's `v2beta1Experiment`. */
export const Experiment = Type.Object({
  experiment_id: Type.String(),
  display_name: Type.String(),
  description: Type.Optional(Description),
  created_at: Timestamp,
  namespace: Type.Optional(Namespace),
  storage_state: StorageState,
  last_run_created_at: Type.Optional(Timestamp),
});
export type Experiment = Type.Static<typeof Experiment>;

/**
 * The body of CreateExperiment: an Experiment whose output fields, when sent, are ignored as KFP does.
 * Fields KFP does not know are refused.
 */
export const NewExperiment = Type.Partial(Experiment, { additionalProperties: false });
export type NewExperiment = Type.Static<typeof NewExperiment>;

export const ListExperimentsQuery = Type.Object({
  ...ListQuery.properties,
  namespace: Type.Optional(Type.String()),
});
export type ListExperimentsQuery = Type.Static<typeof ListExperimentsQuery>;

export const ListExperimentsResponse = Type.Object({
  experiments: Type.Array(Experiment),
  total_size: Type.Integer(),
  next_page_token: Type.String(),
});
export type ListExperimentsResponse = Type.Static<typeof ListExperimentsResponse>;
