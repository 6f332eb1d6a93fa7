import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { FsArtifactStore } from '../../../src/artifacts/fs-artifact-store.ts';
import {
  isQuarantined,
  quarantineObject,
  quarantinePrefix,
} from '../../../src/lifecycle/verify/quarantine.ts';
import { digestObject } from '../../../src/lifecycle/verify/stored-content.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cairn-quarantine-'));
const store = new FsArtifactStore(dir);
after(() => rmSync(dir, { recursive: true, force: true }));

async function listed(key: string) {
  return (await store.stat(key)) ?? assert.fail(`${key} is stored`);
}

test('the prefix names the UTC second, and only such prefixes are quarantine', () => {
  const prefix = quarantinePrefix(new Date(Date.UTC(2026, 0, 21, 8, 30, 15, 999)));
  assert.equal(prefix, 'quarantine/20260121T083015Z/');
  assert.ok(isQuarantined(`${prefix}pipeline/run/task/out`));
  // A pipeline named "quarantine" keeps its objects under run ids.
  assert.ok(!isQuarantined('quarantine/0b6f2b8e-5d1a-4c36-9a57-1f0d1c0e0005/task/out'));
});

test('an object moves to quarantine with its bytes, and is gone from where it was', async () => {
  await store.put('p/r/t/out', 'orphan bytes');
  const to = await quarantineObject(store, await listed('p/r/t/out'), 'quarantine/20260121T083015Z/');
  assert.equal(to, 'quarantine/20260121T083015Z/p/r/t/out');
  assert.equal(await store.stat('p/r/t/out'), undefined);
  assert.equal((await digestObject(store, to))?.size, 12);
});

test('an object rewritten since it was listed stays where it is', async () => {
  await store.put('p/r/t/rewritten', 'old');
  const seen = await listed('p/r/t/rewritten');
  await store.put('p/r/t/rewritten', 'new and longer');
  await assert.rejects(
    quarantineObject(store, seen, 'quarantine/20260121T083016Z/'),
    /p\/r\/t\/rewritten changed while verify ran; it was left in place/,
  );
  assert.equal((await store.stat('p/r/t/rewritten'))?.size, 14);
});
