/** Small pipelines for the CLI's tests: shell commands only, so they run anywhere the tests do. */
import { compile, containerComponent, Dataset, Output, Parameter, pipeline } from '@cairn/sdk';

const greet = containerComponent({
  name: 'greet',
  image: 'busybox',
  inputs: { who: Parameter.String },
  outputs: { greeting: Output(Dataset) },
  command: ({ inputs, outputs }) => [
    'sh',
    '-c',
    'echo "hello $0"; echo "second line"; mkdir -p "$(dirname "$1")"; printf "hello %s" "$0" > "$1"',
    inputs.who,
    outputs.greeting.path,
  ],
});

const shout = containerComponent({
  name: 'shout',
  image: 'busybox',
  command: ['sh', '-c', 'sleep 0.3; echo LOUD'],
});

/** Two tasks, one after the other: `greet` (a log, an artifact) then `shout`. */
export const GREETING_PIPELINE = compile(
  pipeline({ name: 'greeting', inputs: { who: Parameter.String } }, ({ who }) => {
    // Never cached, so every run has a task running for a moment, for --watch to show.
    shout().setCachingOptions(false).after(greet({ who }));
  }),
);

const crash = containerComponent({
  name: 'crash',
  image: 'busybox',
  command: ['sh', '-c', 'echo about to fail; exit 3'],
});

/** One task that fails. */
export const FAILING_PIPELINE = compile(
  pipeline({ name: 'failing' }, () => {
    crash().setCachingOptions(false);
  }),
);

const nap = containerComponent({ name: 'nap', image: 'busybox', command: ['sleep', '30'] });

/** One task that sleeps long enough to be terminated. */
export const SLEEPY_PIPELINE = compile(
  pipeline({ name: 'sleepy' }, () => {
    nap().setCachingOptions(false);
  }),
);
