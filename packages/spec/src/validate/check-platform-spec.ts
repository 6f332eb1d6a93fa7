import type { IssueCollector } from '../issues/spec-issue.ts';
import { didYouMean } from '../issues/suggest.ts';
import type { PlatformSpec } from '../model/pipeline-spec.ts';
import type { SpecIndex } from './spec-index.ts';

/**
 * The platform spec configures executors of the pipeline spec by label (secrets as env, volumes, node
 * selectors). A label the pipeline does not define would configure nothing, silently; it is an error.
 */
export function checkPlatformSpec(
  platformSpec: PlatformSpec,
  index: SpecIndex,
  issues: IssueCollector,
): void {
  for (const [platform, single] of Object.entries(platformSpec.platforms ?? {})) {
    for (const label of Object.keys(single.deploymentSpec?.executors ?? {})) {
      if (index.executorLabels.has(label)) continue;
      issues.error(
        'EXECUTOR_UNDEFINED',
        ['platforms', platform, 'deploymentSpec', 'executors', label],
        `executor "${label}" is not defined in the pipeline spec's deploymentSpec.executors${didYouMean(label, index.executorLabels)}`,
      );
    }
  }
}
