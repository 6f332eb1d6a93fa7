/**
 * A hyperparameter sweep built from a nested pipeline.
 *
 * `train-and-score` is a pipeline of its own (train, then score); the sweep runs it once per candidate
 * configuration in a ParallelFor, reading each candidate's fields, collects the scores and picks the best
 * configuration. Each trial is a small gradient descent on a synthetic problem, so it runs offline.
 *
 *   cairn compile examples/hyperparameter-sweep.ts -o hyperparameter-sweep.yaml
 */
import {
  Collected,
  functionComponent,
  Input,
  Metrics,
  Model,
  Output,
  ParallelFor,
  Parameter,
  pipeline,
} from '@cairn/sdk';

const train = functionComponent(
  {
    name: 'train',
    description: 'Fits w in y = w * x by gradient descent on points drawn from y = 4x.',
    inputs: { learning_rate: Parameter.Float, steps: Parameter.Integer },
    outputs: { model: Output(Model) },
  },
  async ({ learning_rate, steps }, { model }) => {
    const { writeFile } = await import('node:fs/promises');
    const xs = Array.from({ length: 20 }, (_, i) => i / 10);
    let w = 0;
    for (let step = 0; step < steps; step++) {
      const gradient = xs.reduce((sum, x) => sum + 2 * (w * x - 4 * x) * x, 0) / xs.length;
      w -= learning_rate * gradient;
    }
    await writeFile(model.path, JSON.stringify({ w }));
    model.metadata.learning_rate = learning_rate;
  },
);

const score = functionComponent(
  {
    name: 'score',
    description: 'Scores a model by its mean squared error on fresh points.',
    inputs: { model: Input(Model) },
    outputs: { mse: Parameter.Float, metrics: Output(Metrics) },
  },
  async ({ model }, { metrics }) => {
    const { readFile } = await import('node:fs/promises');
    const { w } = JSON.parse(await readFile(model.path, 'utf8'));
    const xs = Array.from({ length: 50 }, (_, i) => i / 25);
    const mse = xs.reduce((sum, x) => sum + (w * x - 4 * x) ** 2, 0) / xs.length;
    metrics.logMetric('mse', mse);
    return { mse: Number.isFinite(mse) ? mse : Number.MAX_VALUE };
  },
);

const pickBest = functionComponent(
  {
    name: 'pick-best',
    description: 'Returns the candidate with the lowest error.',
    inputs: { candidates: Parameter.List.of(Parameter.Struct), errors: Parameter.List.of(Parameter.Float) },
    outputs: { best: Parameter.Struct, best_mse: Parameter.Float },
  },
  async ({ candidates, errors }) => {
    let best = 0;
    errors.forEach((error, index) => {
      if (error < (errors[best] ?? Number.POSITIVE_INFINITY)) best = index;
    });
    return { best: candidates[best] ?? {}, best_mse: errors[best] ?? Number.NaN };
  },
);

/** One trial: a pipeline used as a task of the sweep. */
export const trainAndScore = pipeline(
  {
    name: 'train-and-score',
    inputs: { learning_rate: Parameter.Float, steps: Parameter.Integer },
    outputs: { mse: Parameter.Float },
  },
  ({ learning_rate, steps }) => {
    const trained = train({ learning_rate, steps });
    return { mse: score({ model: trained.outputs.model }).outputs.mse };
  },
);

export default pipeline(
  {
    name: 'hyperparameter-sweep',
    description: 'Runs a training pipeline per candidate configuration and picks the best.',
    inputs: {
      candidates: Parameter.List.of(Parameter.Struct).default([
        { learning_rate: 0.01, steps: 200 },
        { learning_rate: 0.1, steps: 100 },
        { learning_rate: 0.5, steps: 50 },
        { learning_rate: 1.5, steps: 50 },
      ]),
    },
    outputs: { best: Parameter.Struct },
  },
  ({ candidates }) => {
    const trials = ParallelFor(
      candidates,
      (candidate) =>
        trainAndScore({ learning_rate: candidate.field('learning_rate'), steps: candidate.field('steps') }),
      { parallelism: 2 },
    );
    const best = pickBest({ candidates, errors: Collected(trials.outputs.mse) });
    return { best: best.outputs.best };
  },
);
