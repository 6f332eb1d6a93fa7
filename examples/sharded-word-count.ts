/**
 * Fan out over data shards, fan back in.
 *
 * A container component writes a corpus, a function splits it into line ranges, a ParallelFor counts the
 * words of each shard (at most two shards at a time), and the per-shard counts are collected into one
 * report. Shows container components with typed placeholders, loop item fields, parallelism, Collected.
 *
 *   cairn compile examples/sharded-word-count.ts -o sharded-word-count.yaml
 */
import {
  Collected,
  concat,
  containerComponent,
  Dataset,
  functionComponent,
  Input,
  Markdown,
  Output,
  ParallelFor,
  Parameter,
  pipeline,
} from '@cairn/sdk';

const writeCorpus = containerComponent({
  name: 'write-corpus',
  description: 'Writes a small corpus, one sentence per line, repeated to the requested size.',
  image: 'alpine:3.20',
  inputs: { copies: Parameter.Integer },
  outputs: { corpus: Output(Dataset) },
  command: ({ inputs, outputs }) => [
    'sh',
    '-ec',
    concat(
      'mkdir -p "$(dirname "$1")"; i=0; while [ "$i" -lt "$0" ]; do ',
      "printf '%s\\n' 'the quick brown fox' 'jumps over the lazy dog' 'the dog sleeps'; ",
      'i=$((i+1)); done > "$1"',
    ),
    inputs.copies,
    outputs.corpus.path,
  ],
});

const planShards = functionComponent(
  {
    name: 'plan-shards',
    description: 'Splits the corpus into contiguous line ranges of at most `lines_per_shard` lines.',
    inputs: { corpus: Input(Dataset), lines_per_shard: Parameter.Integer },
    outputs: { shards: Parameter.List.of(Parameter.Struct), lines: Parameter.Integer },
  },
  async ({ corpus, lines_per_shard }) => {
    const { readFile } = await import('node:fs/promises');
    const lines = (await readFile(corpus.path, 'utf8')).split('\n').filter((line) => line !== '').length;
    const shards: { start: number; end: number }[] = [];
    for (let start = 0; start < lines; start += lines_per_shard) {
      shards.push({ start, end: Math.min(lines, start + lines_per_shard) });
    }
    return { shards, lines };
  },
);

const countWords = functionComponent(
  {
    name: 'count-words',
    description: 'Counts each word in one shard of the corpus.',
    inputs: { corpus: Input(Dataset), start: Parameter.Integer, end: Parameter.Integer },
    outputs: { counts: Parameter.Struct },
  },
  async ({ corpus, start, end }) => {
    const { readFile } = await import('node:fs/promises');
    const lines = (await readFile(corpus.path, 'utf8')).split('\n').slice(start, end);
    const counts: Record<string, number> = {};
    for (const word of lines.join(' ').split(/\s+/).filter(Boolean)) counts[word] = (counts[word] ?? 0) + 1;
    return { counts };
  },
);

const mergeCounts = functionComponent(
  {
    name: 'merge-counts',
    description: 'Adds up the shards’ counts and writes the most frequent words as a report.',
    inputs: { shard_counts: Parameter.List.of(Parameter.Struct), top: Parameter.Integer },
    outputs: { report: Output(Markdown), distinct_words: Parameter.Integer },
  },
  async ({ shard_counts, top }, { report }) => {
    const { writeFile } = await import('node:fs/promises');
    const total: Record<string, number> = {};
    for (const counts of shard_counts) {
      for (const [word, count] of Object.entries(counts as Record<string, number>)) {
        total[word] = (total[word] ?? 0) + count;
      }
    }
    const ranked = Object.entries(total).sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
    const rows = ranked.slice(0, top).map(([word, count]) => `| ${word} | ${count} |`);
    await writeFile(
      report.path,
      ['# Word counts', '', '| word | count |', '| --- | --- |', ...rows, ''].join('\n'),
    );
    return { distinct_words: ranked.length };
  },
);

export default pipeline(
  {
    name: 'sharded-word-count',
    description: 'Counts words over shards of a corpus in parallel and merges the counts.',
    inputs: {
      copies: Parameter.Integer.default(40),
      lines_per_shard: Parameter.Integer.default(25),
      top: Parameter.Integer.default(5),
    },
    outputs: { distinct_words: Parameter.Integer },
  },
  ({ copies, lines_per_shard, top }) => {
    const corpus = writeCorpus({ copies }).outputs.corpus;
    const plan = planShards({ corpus, lines_per_shard });
    const counted = ParallelFor(
      plan.outputs.shards,
      (shard) => countWords({ corpus, start: shard.field('start'), end: shard.field('end') }),
      { parallelism: 2 },
    );
    const merged = mergeCounts({ shard_counts: Collected(counted.outputs.counts), top });
    return { distinct_words: merged.outputs.distinct_words };
  },
);
