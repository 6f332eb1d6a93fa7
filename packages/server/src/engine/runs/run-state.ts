/** A run's states, as KFP's v2beta1 API names them (`V2beta1RuntimeState`). */
export const RUN_STATE = {
  PENDING: 'PENDING',
  RUNNING: 'RUNNING',
  SUCCEEDED: 'SUCCEEDED',
  SKIPPED: 'SKIPPED',
  FAILED: 'FAILED',
  CANCELING: 'CANCELING',
  CANCELED: 'CANCELED',
  PAUSED: 'PAUSED',
} as const;

export type RunState = (typeof RUN_STATE)[keyof typeof RUN_STATE];

export const FINAL_RUN_STATES: readonly RunState[] = [
  RUN_STATE.SUCCEEDED,
  RUN_STATE.SKIPPED,
  RUN_STATE.FAILED,
  RUN_STATE.CANCELED,
];
