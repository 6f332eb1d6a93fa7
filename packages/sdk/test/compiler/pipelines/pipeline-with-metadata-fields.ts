// pipeline_with_metadata_fields.yaml: descriptions of a pipeline and of inputs and outputs, an artifact
// input of the pipeline, and an artifact output returned from a task.
import { Dataset, functionComponent, Input, Output, Parameter, pipeline } from '../../../src/index.ts';

const strToDataset = functionComponent(
  {
    name: 'str-to-dataset',
    inputs: { string: Parameter.String.describe('The string.') },
    outputs: { dataset: Output(Dataset).describe('The dataset.') },
  },
  async ({ string }, { dataset }) => {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(dataset.path, string);
  },
);

const datasetJoiner = functionComponent(
  {
    name: 'dataset-joiner',
    inputs: {
      dataset_a: Input(Dataset).describe('First dataset.'),
      dataset_b: Input(Dataset).describe('Second dataset.'),
    },
    outputs: {
      out_dataset: Output(Dataset).describe('The concatenated dataset.'),
      Output: Parameter.String.describe('The concatenated string.'),
    },
  },
  async ({ dataset_a, dataset_b }, { out_dataset }) => {
    const { readFile, writeFile } = await import('node:fs/promises');
    const joined = (await readFile(dataset_a.path, 'utf8')) + (await readFile(dataset_b.path, 'utf8'));
    await writeFile(out_dataset.path, joined);
    return { Output: joined };
  },
);

export default pipeline(
  {
    name: 'dataset-concatenator',
    description: 'A pipeline that joins string to in_dataset.',
    inputs: {
      string: Parameter.String.describe('String to concatenate to in_artifact.'),
      in_dataset: Input(Dataset).describe('Dataset to which to concatenate string.'),
    },
    outputs: { Output: Output(Dataset).describe('The final concatenated dataset.') },
  },
  ({ string, in_dataset }) => {
    const firstDatasetTask = strToDataset({ string });
    const t = datasetJoiner({ dataset_a: firstDatasetTask.outputs.dataset, dataset_b: in_dataset });
    return { Output: t.outputs.out_dataset };
  },
);
