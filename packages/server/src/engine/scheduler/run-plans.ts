import {
  checkPipelineText,
  deepFreeze,
  type ExecutionPlan,
  formatIssue,
  type PipelineSpec,
  type PlatformSpec,
} from '@cairn/spec';
import type { Kysely, Transaction } from 'kysely';
import { CairnError } from '../../errors.ts';
import type { CairnDatabase } from '../../store/tables.ts';

/** What the scheduler needs of a run's pipeline: the spec (for executors) and its plan. */
export interface RunPipeline {
  readonly spec: PipelineSpec;
  readonly platformSpec?: PlatformSpec;
  readonly plan: ExecutionPlan;
}

/**
 * Plans are derived from the spec stored with the run, deterministically, so a cache keyed by run id
 * can never be stale; it only saves re-planning on every task completion. Bounded, oldest out first.
 */
const cache = new Map<string, RunPipeline>();
const CACHE_LIMIT = 200;

export async function runPipeline(db: Kysely<CairnDatabase> | Transaction<CairnDatabase>, runId: string) {
  const cached = cache.get(runId);
  if (cached) return cached;
  const row = await db
    .selectFrom('runs')
    .select(['pipeline_spec'])
    .where('id', '=', runId)
    .executeTakeFirst();
  if (row?.pipeline_spec == null) {
    throw new CairnError('RUN_NOT_FOUND', `run ${runId} does not exist or has no pipeline spec`);
  }
  const pipeline = pipelineFromText(row.pipeline_spec);
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value ?? '');
  cache.set(runId, pipeline);
  return pipeline;
}

/**
 * Plans by spec text: the runs of one pipeline carry the same spec, and loading, validating and planning
 * it was a tenth of a CreateRun's time. Frozen, since every run of the pipeline shares the plan. Bounded
 * by count and by the texts' total length, least recently used out first; a spec too long to keep is
 * planned every time.
 */
const byText = new Map<string, RunPipeline>();
const BY_TEXT_LIMIT = 64;
const BY_TEXT_CHARS = 8 * 1024 * 1024;
const BY_TEXT_LONGEST = 1024 * 1024;
let byTextChars = 0;

/** Loads, validates and plans a spec; a spec that does not validate is the caller's mistake. */
export function pipelineFromText(text: string): RunPipeline {
  const cached = byText.get(text);
  if (cached !== undefined) {
    byText.delete(text);
    byText.set(text, cached);
    return cached;
  }
  const pipeline = deepFreeze(planText(text));
  if (text.length <= BY_TEXT_LONGEST) {
    byText.set(text, pipeline);
    byTextChars += text.length;
    for (const oldest of byText.keys()) {
      if (byText.size <= BY_TEXT_LIMIT && byTextChars <= BY_TEXT_CHARS) break;
      byText.delete(oldest);
      byTextChars -= oldest.length;
    }
  }
  return pipeline;
}

function planText(text: string): RunPipeline {
  const checked = checkPipelineText(text);
  if (checked.pipeline === undefined) {
    const errors = checked.issues.filter((issue) => issue.severity === 'error').map(formatIssue);
    throw new CairnError(
      'PIPELINE_INVALID',
      `the pipeline spec does not validate:\n  ${errors.join('\n  ')}`,
    );
  }
  const { spec, platformSpec } = checked.pipeline;
  return platformSpec === undefined
    ? { spec, plan: checked.plan }
    : { spec, platformSpec, plan: checked.plan };
}
