// pipeline_with_importer.yaml: importers with a constant URI and metadata, and with a pipeline input as
// URI inside a condition.
import {
  Condition,
  Dataset,
  functionComponent,
  Input,
  importer,
  Model,
  Output,
  Parameter,
  pipeline,
} from '../../../src/index.ts';

const train = functionComponent(
  {
    name: 'train',
    inputs: { dataset: Input(Dataset) },
    outputs: { scalar: Parameter.String, model: Output(Model) },
  },
  async ({ dataset }, { model }) => {
    const { readFile, writeFile } = await import('node:fs/promises');
    const data = await readFile(dataset.path, 'utf8');
    await writeFile(model.path, `My model trained using data: ${data}`);
    return { scalar: '123' };
  },
);

export default pipeline(
  {
    name: 'pipeline-with-importer',
    inputs: { dataset2: Parameter.String.default('gs://ml-pipeline-playground/shakespeare2.txt') },
  },
  ({ dataset2 }) => {
    const importer1 = importer({
      artifactUri: 'gs://ml-pipeline-playground/shakespeare1.txt',
      artifactClass: Dataset,
      reimport: false,
      metadata: { key: 'value' },
    });
    const train1 = train({ dataset: importer1.output });
    Condition(train1.outputs.scalar.eq('123'), () => {
      const importer2 = importer({ artifactUri: dataset2, artifactClass: Dataset, reimport: true });
      train({ dataset: importer2.output });
    });
  },
);
