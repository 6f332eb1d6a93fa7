// if_elif_else_complex.yaml: If/Elif/Else nested in a ParallelFor over a typed list input, nested Ifs,
// OneOf inside branches, a literal-items loop inside a condition, caching off, and Collected fan-in.
import {
  Collected,
  functionComponent,
  If,
  OneOf,
  ParallelFor,
  Parameter,
  pipeline,
} from '../../../src/index.ts';

const int0To9999 = functionComponent(
  { name: 'int-0-to-9999', outputs: { Output: Parameter.Integer } },
  async () => ({
    Output: Math.floor(Math.random() * 10000),
  }),
);

const isEvenOrOdd = functionComponent(
  { name: 'is-even-or-odd', inputs: { num: Parameter.Integer }, outputs: { Output: Parameter.String } },
  async ({ num }) => ({ Output: num % 2 === 0 ? 'even' : 'odd' }),
);

const printAndReturn = functionComponent(
  { name: 'print-and-return', inputs: { text: Parameter.String }, outputs: { Output: Parameter.String } },
  async ({ text }) => {
    console.log(text);
    return { Output: text };
  },
);

const printInts = functionComponent(
  { name: 'print-ints', inputs: { ints: Parameter.List.of(Parameter.Integer) } },
  async ({ ints }) => {
    console.log(ints);
  },
);

export default pipeline(
  {
    name: 'lucky-number-pipeline',
    inputs: {
      add_drumroll: Parameter.Boolean.default(true),
      repeat_if_lucky_number: Parameter.Boolean.default(true),
      trials: Parameter.List.of(Parameter.Integer).default([1, 2, 3]),
    },
  },
  ({ add_drumroll, repeat_if_lucky_number, trials }) => {
    const intTask = ParallelFor(trials, (trial) => {
      const intTask = int0To9999().setCachingOptions(false);
      If(add_drumroll.eq(true), () => {
        If(trial.eq(3), () => {
          printAndReturn({ text: 'Adding drumroll on last trial!' });
        });
      });

      If(intTask.output.lt(5000), () => {
        const evenOrOdd = isEvenOrOdd({ num: intTask.output });
        const [t1, t2] = If(evenOrOdd.output.eq('even'), () =>
          printAndReturn({ text: 'Got a low even number!' }),
        ).Else(() => printAndReturn({ text: 'Got a low odd number!' }));
        printAndReturn({ text: OneOf(t1.output, t2.output) });
      })
        .Elif(intTask.output.gt(5000), () => {
          const evenOrOdd = isEvenOrOdd({ num: intTask.output });
          const [t3, t4] = If(evenOrOdd.output.eq('even'), () =>
            printAndReturn({ text: 'Got a high even number!' }),
          ).Else(() => printAndReturn({ text: 'Got a high odd number!' }));
          printAndReturn({ text: OneOf(t3.output, t4.output) });
        })
        .Else(() => {
          printAndReturn({ text: 'Announcing: Got the lucky number 5000! A one in 10,000 chance.' });
          If(repeat_if_lucky_number.eq(true), () => {
            ParallelFor([1, 2], () => {
              printAndReturn({
                text: 'Announcing again: Got the lucky number 5000! A one in 10,000 chance.',
              });
            });
          });
        });
      return intTask;
    });

    printInts({ ints: Collected(intTask.output) });
  },
);
