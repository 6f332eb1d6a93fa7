import { IDS } from './sample-rows.ts';

/** Objects in KFP's layout (<pipeline>/<run-id>/<task>/<output>) matching the sample rows. */
export const SAMPLE_OBJECTS: { key: string; body: string }[] = [
  { key: `sample-pipeline/${IDS.run}/train/model`, body: 'model bytes' },
  {
    key: `sample-pipeline/${IDS.run}/train/metrics`,
    body: JSON.stringify({ metrics: [{ name: 'accuracy', numberValue: 0.93 }] }),
  },
  { key: `sample-pipeline/${IDS.run}/train/executor-logs`, body: 'epoch 1\nepoch 2\nepoch 3\n' },
];
