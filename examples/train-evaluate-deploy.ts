/**
 * Train, evaluate and deploy only when the model is good enough.
 *
 * A synthetic regression dataset is split into train and test sets, a linear model is fitted by least
 * squares, its error on the test set is logged as metrics, and the model is "deployed" (published with a
 * model card) only when that error is under the pipeline's threshold. Everything runs locally: no network.
 *
 *   cairn compile examples/train-evaluate-deploy.ts -o train-evaluate-deploy.yaml
 */
import {
  Dataset,
  functionComponent,
  If,
  Input,
  Markdown,
  Metrics,
  Model,
  Output,
  Parameter,
  pipeline,
} from '@cairn/sdk';

const makeDataset = functionComponent(
  {
    name: 'make-dataset',
    description: 'Generates y = 3x + 2 with noise, deterministically from a seed, and splits it 80/20.',
    inputs: { rows: Parameter.Integer, seed: Parameter.Integer },
    outputs: { train: Output(Dataset), test: Output(Dataset) },
  },
  async ({ rows, seed }, { train, test }) => {
    const { writeFile } = await import('node:fs/promises');
    let state = seed;
    const random = () => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return state / 2147483648;
    };
    const samples: string[] = [];
    for (let i = 0; i < rows; i++) {
      const x = random() * 10;
      samples.push(`${x},${3 * x + 2 + (random() - 0.5)}`);
    }
    const cut = Math.floor(rows * 0.8);
    await writeFile(train.path, ['x,y', ...samples.slice(0, cut)].join('\n'));
    await writeFile(test.path, ['x,y', ...samples.slice(cut)].join('\n'));
    train.metadata.rows = cut;
    test.metadata.rows = rows - cut;
  },
);

const trainModel = functionComponent(
  {
    name: 'train-model',
    description: 'Fits y = slope * x + intercept by ordinary least squares.',
    inputs: { data: Input(Dataset) },
    outputs: { model: Output(Model), metrics: Output(Metrics) },
  },
  async ({ data }, { model, metrics }) => {
    const { readFile, writeFile } = await import('node:fs/promises');
    const points = (await readFile(data.path, 'utf8'))
      .split('\n')
      .slice(1)
      .map((line) => line.split(',').map(Number) as [number, number]);
    const n = points.length;
    const meanX = points.reduce((sum, [x]) => sum + x, 0) / n;
    const meanY = points.reduce((sum, [, y]) => sum + y, 0) / n;
    const covariance = points.reduce((sum, [x, y]) => sum + (x - meanX) * (y - meanY), 0);
    const variance = points.reduce((sum, [x]) => sum + (x - meanX) ** 2, 0);
    const slope = covariance / variance;
    const intercept = meanY - slope * meanX;
    const rmse = Math.sqrt(points.reduce((sum, [x, y]) => sum + (slope * x + intercept - y) ** 2, 0) / n);
    await writeFile(model.path, JSON.stringify({ slope, intercept }));
    model.metadata.framework = 'least-squares';
    metrics.logMetric('train_rmse', rmse);
    metrics.logMetric('train_rows', n);
  },
);

const evaluateModel = functionComponent(
  {
    name: 'evaluate-model',
    description: 'Measures the root mean squared error of the model on held-out data.',
    inputs: { model: Input(Model), data: Input(Dataset) },
    outputs: { rmse: Parameter.Float, metrics: Output(Metrics) },
  },
  async ({ model, data }, { metrics }) => {
    const { readFile } = await import('node:fs/promises');
    const { slope, intercept } = JSON.parse(await readFile(model.path, 'utf8'));
    const points = (await readFile(data.path, 'utf8'))
      .split('\n')
      .slice(1)
      .map((line) => line.split(',').map(Number) as [number, number]);
    const squared = points.reduce((sum, [x, y]) => sum + (slope * x + intercept - y) ** 2, 0);
    const rmse = Math.sqrt(squared / points.length);
    metrics.logMetric('test_rmse', rmse);
    return { rmse };
  },
);

const deployModel = functionComponent(
  {
    name: 'deploy-model',
    description: 'Publishes the model with a model card.',
    inputs: { model: Input(Model), rmse: Parameter.Float },
    outputs: { deployed: Output(Model), card: Output(Markdown) },
  },
  async ({ model, rmse }, { deployed, card }) => {
    const { copyFile, writeFile } = await import('node:fs/promises');
    await copyFile(model.path, deployed.path);
    await writeFile(card.path, `# Model card\n\n- test RMSE: ${rmse.toFixed(4)}\n- source: ${model.uri}\n`);
  },
);

const rejectModel = functionComponent(
  {
    name: 'reject-model',
    description: 'Explains why the model was not deployed.',
    inputs: { rmse: Parameter.Float, max_rmse: Parameter.Float },
    outputs: { card: Output(Markdown) },
  },
  async ({ rmse, max_rmse }, { card }) => {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(
      card.path,
      `# Not deployed\n\nTest RMSE ${rmse.toFixed(4)} is over the limit ${max_rmse}.\n`,
    );
  },
);

export default pipeline(
  {
    name: 'train-evaluate-deploy',
    description: 'Trains a regression model, evaluates it, and deploys it when its test error is low enough.',
    inputs: {
      rows: Parameter.Integer.default(500),
      seed: Parameter.Integer.default(7),
      max_rmse: Parameter.Float.default(0.5),
    },
    outputs: { test_rmse: Parameter.Float },
  },
  ({ rows, seed, max_rmse }) => {
    const data = makeDataset({ rows, seed });
    const trained = trainModel({ data: data.outputs.train });
    const evaluated = evaluateModel({ model: trained.outputs.model, data: data.outputs.test });
    If(evaluated.outputs.rmse.lt(max_rmse), () => {
      deployModel({ model: trained.outputs.model, rmse: evaluated.outputs.rmse }).setCachingOptions(false);
    }).Else(() => {
      rejectModel({ rmse: evaluated.outputs.rmse, max_rmse });
    });
    return { test_rmse: evaluated.outputs.rmse };
  },
);
