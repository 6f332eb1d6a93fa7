import type { RuntimeConfig } from '@cairn/sdk/api';

/** A stored runtime config (a run's or a recurring run's) as KFP returns it: an unset root is left out. */
export function runtimeConfigToWire(text: string): RuntimeConfig {
  const stored = JSON.parse(text) as { parameters?: Record<string, unknown>; pipeline_root?: string | null };
  return {
    parameters: stored.parameters ?? {},
    ...(typeof stored.pipeline_root === 'string' ? { pipeline_root: stored.pipeline_root } : {}),
  };
}
