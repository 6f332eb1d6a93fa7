import type { Experiment } from '@cairn/sdk/api';
import type { ExperimentRow } from '../../catalog/experiments.ts';
import { rfc3339 } from './timestamps.ts';

export function experimentToWire(row: ExperimentRow): Experiment {
  return {
    experiment_id: row.id,
    display_name: row.display_name,
    ...(row.description === null ? {} : { description: row.description }),
    created_at: rfc3339(row.created_at),
    ...(row.namespace === '' ? {} : { namespace: row.namespace }),
    storage_state: row.storage_state === 'ARCHIVED' ? 'ARCHIVED' : 'AVAILABLE',
    ...(row.last_run_created_at === null ? {} : { last_run_created_at: rfc3339(row.last_run_created_at) }),
  };
}
