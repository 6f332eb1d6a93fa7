/**
 * A small pipeline whose tasks leave every kind of artifact: a file, a file made from it, a directory, an
 * HTML report made from both, and metrics that are only metadata. Its tasks are shell commands.
 */
import {
  compile,
  containerComponent,
  Dataset,
  HTML,
  Input,
  Metrics,
  Model,
  Output,
  pipeline,
} from '@cairn/sdk';

/** What `make-data` writes: 16 bytes, so ranges are easy to check. */
export const DATA = '0123456789abcdef';

const makeData = containerComponent({
  name: 'make-data',
  image: 'busybox',
  outputs: { data: Output(Dataset), files: Output(Dataset) },
  command: ({ outputs }) => [
    'sh',
    '-c',
    'mkdir -p "$(dirname "$0")" "$1/nested"; printf %s "$2" > "$0"; printf a > "$1/a.txt"; ' +
      'printf "{}" > "$1/nested/b.json"; echo made data',
    outputs.data.path,
    outputs.files.path,
    DATA,
  ],
});

const train = containerComponent({
  name: 'train',
  image: 'busybox',
  inputs: { data: Input(Dataset) },
  outputs: { model: Output(Model), metrics: Output(Metrics) },
  command: ({ inputs, outputs }) => [
    'sh',
    '-c',
    'mkdir -p "$(dirname "$1")"; cat "$0" > "$1"; echo trained',
    inputs.data.path,
    outputs.model.path,
  ],
});

const report = containerComponent({
  name: 'report',
  image: 'busybox',
  inputs: { model: Input(Model), data: Input(Dataset) },
  outputs: { page: Output(HTML) },
  command: ({ inputs, outputs }) => [
    'sh',
    '-c',
    'mkdir -p "$(dirname "$2")"; printf "<p>%s</p>" "$(cat "$0" "$1")" > "$2"',
    inputs.model.path,
    inputs.data.path,
    outputs.page.path,
  ],
});

export function artifactPipelineSpec(name: string): string {
  return compile(
    pipeline({ name }, () => {
      const made = makeData();
      const trained = train({ data: made.outputs.data });
      report({ model: trained.outputs.model, data: made.outputs.data });
    }),
  );
}
