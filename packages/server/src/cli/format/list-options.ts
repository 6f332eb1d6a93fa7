import type { ListFilter, ListOptions } from '@cairn/sdk/api';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { positiveInteger } from '../args/positive-integer.ts';

/** The options of a list command as commander hands them over. */
export interface ListCommandOptions {
  sort?: string;
  limit?: number;
  filter?: ListFilter;
}

function filterJson(value: string): ListFilter {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    throw new InvalidArgumentError(`not JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || !Array.isArray((parsed as ListFilter).predicates)) {
    throw new InvalidArgumentError(
      'expected KFP\'s filter, e.g. {"predicates":[{"key":"display_name","operation":"EQUALS","string_value":"x"}]}',
    );
  }
  return parsed as ListFilter;
}

/** `--sort`, `--limit` and `--filter`, which every list command takes. */
export function addListOptions(command: Command, defaults: { sort?: string; limit?: number } = {}): Command {
  const sort = new Option('--sort <order>', 'a field and a direction, e.g. "created_at desc"');
  const limit = new Option('--limit <n>', 'print at most n items').argParser(positiveInteger);
  if (defaults.sort !== undefined) sort.default(defaults.sort);
  if (defaults.limit !== undefined) limit.default(defaults.limit);
  return command
    .addOption(sort)
    .addOption(limit)
    .addOption(
      new Option(
        '--filter <json>',
        'KFP\'s filter as JSON: {"predicates":[{key, operation, string_value}]}',
      ).argParser(filterJson),
    );
}

/** The API's list options; `extra` predicates (from `--state` and the like) join the `--filter` ones. */
export function listOptionsFrom(
  options: ListCommandOptions,
  extra: ListFilter['predicates'] = [],
): ListOptions {
  const predicates = [...(options.filter?.predicates ?? []), ...extra];
  return {
    ...(options.sort === undefined ? {} : { sort_by: options.sort }),
    ...(predicates.length === 0 ? {} : { filter: { ...options.filter, predicates } }),
    // A page no larger than needed, so a small --limit costs one small request.
    ...(options.limit === undefined ? {} : { page_size: Math.min(options.limit, 200) }),
  };
}

/** The first `limit` items (all of them without a limit), reading no further pages than needed. */
export async function take<T>(items: AsyncIterable<T>, limit: number | undefined): Promise<T[]> {
  const taken: T[] = [];
  if (limit === 0) return taken;
  for await (const item of items) {
    taken.push(item);
    if (limit !== undefined && taken.length >= limit) break;
  }
  return taken;
}
