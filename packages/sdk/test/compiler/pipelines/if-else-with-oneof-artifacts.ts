// if_else_with_oneof_artifacts.yaml: If/Else branches producing artifacts, a OneOf of them consumed in
// the pipeline and returned from it, and that pipeline used as a task of another.
import {
  Artifact,
  functionComponent,
  If,
  Input,
  OneOf,
  Output,
  Parameter,
  pipeline,
} from '../../../src/index.ts';

const flipCoin = functionComponent(
  { name: 'flip-coin', outputs: { Output: Parameter.String } },
  async () => ({
    Output: 'heads',
  }),
);

const paramToArtifact = functionComponent(
  { name: 'param-to-artifact', inputs: { val: Parameter.String }, outputs: { a: Output(Artifact) } },
  async ({ val }, { a }) => {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(a.path, val);
  },
);

const printArtifact = functionComponent(
  { name: 'print-artifact', inputs: { a: Input(Artifact) } },
  async ({ a }) => {
    const { readFile } = await import('node:fs/promises');
    console.log(await readFile(a.path, 'utf8'));
  },
);

const flipCoinPipeline = pipeline(
  { name: 'flip-coin-pipeline', outputs: { Output: Output(Artifact) } },
  () => {
    const flipCoinTask = flipCoin();
    const [t1, t2] = If(flipCoinTask.output.eq('heads'), () =>
      paramToArtifact({ val: flipCoinTask.output }),
    ).Else(() => paramToArtifact({ val: flipCoinTask.output }));
    const oneOf = OneOf(t1.outputs.a, t2.outputs.a);
    printArtifact({ a: oneOf });
    return { Output: oneOf };
  },
);

export default pipeline({ name: 'outer-pipeline' }, () => {
  const flipCoinTask = flipCoinPipeline();
  printArtifact({ a: flipCoinTask.output });
});
