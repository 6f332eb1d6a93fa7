import { cacheArtifactIdentities } from '../caching/cache-artifact-identities.ts';
import { cacheFingerprint } from '../caching/cache-fingerprint.ts';
import { type CacheHit, findCacheHit } from '../caching/find-cache-hit.ts';
import type { PreparedTask } from './prepare-task.ts';
import type { WorkerResources } from './worker-resources.ts';

/** A task's cache fingerprint when caching applies to it (server, run and task all allow it). */
export async function taskFingerprint(
  resources: WorkerResources,
  prepared: PreparedTask,
): Promise<string | undefined> {
  const { plan, task } = prepared;
  if (resources.caching === false || !prepared.runCaching || !plan.caching.enabled) return undefined;
  // As KFP's driver does, the key sees the values the task will run with: defaults included.
  const inputParameterValues = { ...task.inputParameters };
  for (const [name, definition] of Object.entries(plan.inputDefinitions.parameters)) {
    if (!(name in inputParameterValues) && definition.defaultValue !== undefined) {
      inputParameterValues[name] = definition.defaultValue;
    }
  }
  return cacheFingerprint({
    namespace: prepared.namespace,
    pipelineName: task.pipelineName,
    componentName: plan.componentName,
    image: task.container.image,
    command: task.container.command ?? [],
    args: task.container.args ?? [],
    inputParameterValues,
    inputArtifacts: await cacheArtifactIdentities(resources.db, task.inputArtifacts),
    outputParameters: Object.fromEntries(
      Object.entries(plan.outputDefinitions.parameters).map(([name, output]) => [name, output.type]),
    ),
    outputArtifacts: Object.fromEntries(
      Object.entries(plan.outputDefinitions.artifacts).map(([name, output]) => [
        name,
        {
          schemaTitle: output.artifactType.schemaTitle ?? 'system.Artifact',
          ...(output.artifactType.schemaVersion === undefined
            ? {}
            : { schemaVersion: output.artifactType.schemaVersion }),
        },
      ]),
    ),
    ...(plan.caching.cacheKey === undefined ? {} : { cacheKey: plan.caching.cacheKey }),
  });
}

/** The earlier execution whose outputs can stand in for this task's, if any is still whole. */
export async function cacheHitFor(
  resources: WorkerResources,
  fingerprint: string,
): Promise<CacheHit | undefined> {
  const { hit } = await findCacheHit(resources.db, resources.artifactStore, fingerprint);
  return hit;
}
