// pipeline_with_parallelfor_list_artifacts_GH-12033.yaml: pipelines returning Collected artifacts, and
// loops over those lists of artifacts (artifact iterators).
import {
  Artifact,
  Collected,
  Dataset,
  functionComponent,
  Input,
  Output,
  ParallelFor,
  Parameter,
  pipeline,
} from '../../../src/index.ts';

const printArtifactName = functionComponent(
  {
    name: 'print-artifact-name',
    inputs: { artifact: Input(Artifact) },
    outputs: { Output: Parameter.String },
  },
  async ({ artifact }) => {
    console.log(artifact.name);
    return { Output: artifact.name };
  },
);

const makeDataset = functionComponent(
  { name: 'make-dataset', inputs: { data: Parameter.String }, outputs: { Output: Output(Dataset) } },
  async ({ data }, { Output: dataset }) => {
    const { writeFile } = await import('node:fs/promises');
    dataset.metadata.length = data.length;
    await writeFile(dataset.path, data);
  },
);

const makeArtifact = functionComponent(
  { name: 'make-artifact', inputs: { data: Parameter.String }, outputs: { Output: Output(Artifact) } },
  async ({ data }, { Output: artifact }) => {
    const { writeFile } = await import('node:fs/promises');
    artifact.metadata.length = data.length;
    await writeFile(artifact.path, data);
  },
);

const texts = Parameter.List.of(Parameter.String).default(['Hello', ',', ' ', 'world!']);

const makeDatasets = pipeline(
  { name: 'make-datasets', inputs: { texts }, outputs: { Output: Output.list(Dataset) } },
  ({ texts }) => {
    const t1 = ParallelFor(texts, (text) => makeDataset({ data: text }));
    return { Output: Collected(t1.output) };
  },
);

const makeArtifacts = pipeline(
  { name: 'make-artifacts', inputs: { texts }, outputs: { Output: Output.list(Artifact) } },
  ({ texts }) => {
    const t1 = ParallelFor(texts, (text) => makeArtifact({ data: text }));
    return { Output: Collected(t1.output) };
  },
);

export default pipeline({ name: 'pipeline-parallelfor-artifacts' }, () => {
  const makeArtifactsTask = makeArtifacts();
  ParallelFor(makeArtifactsTask.output, (item) => printArtifactName({ artifact: item }));
  const makeDatasetsTask = makeDatasets();
  ParallelFor(makeDatasetsTask.output, (item) => printArtifactName({ artifact: item }));
});
