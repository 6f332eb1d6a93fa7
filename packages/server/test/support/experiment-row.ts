import { randomUUID } from 'node:crypto';

/** A new experiment's row, for tests that write to the store directly. */
export function experimentRow(name: string, description: string | null = null) {
  return {
    id: randomUUID(),
    namespace: '',
    name,
    display_name: name,
    description,
    storage_state: 'AVAILABLE',
    created_at: 1_700_000_000_000,
    last_run_created_at: null,
  };
}
