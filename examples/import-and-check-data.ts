/**
 * Import an existing file and check it with container components.
 *
 * An importer brings a file that already exists into the pipeline as a Dataset (no copy, no download:
 * the URI is recorded and handed to the next task). Container components then check it with plain shell
 * tools: placeholders for the artifact's path, an optional input used only if given (IfPresent), an
 * output parameter written to its file, environment variables, resources, and a custom cache key.
 *
 * Pass the file as a file:// URI when you run it, e.g. --param data_uri=file:///tmp/iris.csv
 *
 *   cairn compile examples/import-and-check-data.ts -o import-and-check-data.yaml
 */
import { containerComponent, Dataset, Input, ifPresent, importer, Parameter, pipeline } from '@cairn/sdk';

const countRows = containerComponent({
  name: 'count-rows',
  description: 'Counts the data rows of a CSV file (all lines but the header).',
  image: 'busybox:1.36',
  inputs: { data: Input(Dataset) },
  outputs: { rows: Parameter.Integer },
  command: ({ inputs, outputs }) => [
    'sh',
    '-ec',
    'mkdir -p "$(dirname "$1")"; echo $(( $(wc -l < "$0") - 1 )) > "$1"',
    inputs.data.path,
    outputs.rows,
  ],
});

const checkColumns = containerComponent({
  name: 'check-columns',
  description:
    'Fails unless the header holds the expected columns; an optional delimiter overrides the comma.',
  image: 'busybox:1.36',
  inputs: {
    data: Input(Dataset),
    expected_header: Parameter.String,
    delimiter: Parameter.String.optional(),
  },
  command: ({ inputs }) => [
    'sh',
    '-ec',
    'header=$(head -n 1 "$0"); want="$1"; if [ -n "$2" ]; then want=$(echo "$want" | tr "," "$2"); fi; ' +
      'if [ "$header" != "$want" ]; then echo "unexpected header: $header (wanted $want)" >&2; exit 1; fi',
    inputs.data.path,
    inputs.expected_header,
    ifPresent(inputs.delimiter, [inputs.delimiter], ['']),
  ],
});

const summarize = containerComponent({
  name: 'summarize',
  description: 'Prints a one-line summary of the check.',
  image: 'busybox:1.36',
  inputs: { rows: Parameter.Integer, minimum_rows: Parameter.Integer },
  command: ({ inputs }) => [
    'sh',
    '-ec',
    'if [ "$0" -lt "$1" ]; then echo "only $0 rows, fewer than $1" >&2; exit 1; fi; echo "$0 rows: ok ($GREETING)"',
    inputs.rows,
    inputs.minimum_rows,
  ],
});

export default pipeline(
  {
    name: 'import-and-check-data',
    description: 'Imports a CSV file by URI and checks its header and size.',
    inputs: {
      data_uri: Parameter.String,
      expected_header: Parameter.String.default('sepal_length,sepal_width,petal_length,petal_width,species'),
      minimum_rows: Parameter.Integer.default(10),
    },
  },
  ({ data_uri, expected_header, minimum_rows }) => {
    const data = importer({ artifactUri: data_uri, artifactClass: Dataset, reimport: false }).output;
    const rows = countRows({ data }).setCachingOptions(true, 'count-rows-v1');
    checkColumns({ data, expected_header }).setCpuLimit('500m').setMemoryLimit('256M');
    summarize({ rows: rows.outputs.rows, minimum_rows })
      .after(rows)
      .setEnvVariable('GREETING', 'checked by Cairn')
      .setRetry({ maxRetryCount: 1 });
  },
);
