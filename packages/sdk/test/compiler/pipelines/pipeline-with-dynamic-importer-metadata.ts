// pipeline_with_dynamic_importer_metadata.yaml: importer metadata built from pipeline inputs and task
// outputs (in lists, in strings, as keys), which become the importer's `metadata-N` inputs.
import { Dataset, functionComponent, importer, Parameter, pipeline } from '../../../src/index.ts';

const DEFAULT_ARTIFACT_URI = 'gs://ml-pipeline-playground/shakespeare1.txt';
const DEFAULT_IMAGE_URI = 'us-docker.pkg.dev/vertex-ai/prediction/tf2-gpu.2-5:latest';

const makeName = functionComponent(
  { name: 'make-name', inputs: { name: Parameter.String }, outputs: { Output: Parameter.String } },
  async ({ name }) => ({ Output: name }),
);

export default pipeline(
  {
    name: 'pipeline-with-importer',
    inputs: {
      name: Parameter.String.default('default-name'),
      int_input: Parameter.Integer.default(1),
      pipeline_input_artifact_uri: Parameter.String.default(DEFAULT_ARTIFACT_URI),
      pipeline_input_image_uri: Parameter.String.default(DEFAULT_IMAGE_URI),
    },
  },
  ({ name, int_input, pipeline_input_artifact_uri, pipeline_input_image_uri }) => {
    importer({
      artifactUri: pipeline_input_artifact_uri,
      artifactClass: Dataset,
      reimport: false,
      metadata: { name: [name, 'alias-name'], containerSpec: { imageUri: pipeline_input_image_uri } },
    });

    const makeNameOp = makeName({ name: 'a-different-name' });

    importer({
      artifactUri: DEFAULT_ARTIFACT_URI,
      artifactClass: Dataset,
      reimport: false,
      metadata: {
        name: `prefix-${makeNameOp.output}`,
        'list-of-data': [makeNameOp.output, name, int_input],
        [`${makeNameOp.output}`]: makeNameOp.output,
        [`${name}`]: DEFAULT_IMAGE_URI,
        containerSpec: { imageUri: DEFAULT_IMAGE_URI },
      },
    });
  },
);
