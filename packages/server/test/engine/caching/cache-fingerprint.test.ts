import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { JsonValue } from '@cairn/spec';
import {
  type CacheFingerprintInput,
  cacheFingerprint,
  cacheKeyDocument,
} from '../../../src/engine/caching/cache-fingerprint.ts';
import { canonicalJson } from '../../../src/engine/caching/canonical-json.ts';

const INPUT: CacheFingerprintInput = {
  namespace: 'team-a',
  pipelineName: 'train-pipeline',
  componentName: 'comp-train',
  image: 'python:3.12',
  command: ['python', '-m', 'train'],
  args: ['--epochs', "{{$.inputs.parameters['epochs']}}", '--data', "{{$.inputs.artifacts['data'].path}}"],
  pvcNames: ['scratch', 'cache', 'scratch'],
  inputParameterValues: {
    epochs: 3,
    rate: 0.5,
    name: 'ünïcode 🪨',
    flags: [true, null],
    opts: { b: 1, a: 'x' },
  },
  inputArtifacts: {
    data: [
      {
        schemaTitle: 'system.Dataset',
        metadata: { rows: 100 },
        contentSha256: 'a'.repeat(64),
        uri: 'file:///s/p/r1/ingest/data',
      },
    ],
    extra: [{ schemaTitle: 'system.Artifact', schemaVersion: '0.0.1', uri: 'gs://bucket/imported.csv' }],
  },
  outputParameters: { loss: 'NUMBER_DOUBLE' },
  outputArtifacts: {
    model: { schemaTitle: 'system.Model', schemaVersion: '0.0.1', metadata: { framework: 'torch' } },
  },
};

/**
 * Pinned: a change here empties every user's cache. If it is meant, raise FORMAT in cache-fingerprint.ts
 * and update these; if not, the hashing changed by accident.
 */
const EXPECTED_DOCUMENT = [
  '{"container":{"cmdArgs":["python","-m","train","--epochs","{{$.inputs.parameters[\'epochs\']}}",',
  '"--data","{{$.inputs.artifacts[\'data\'].path}}"],"image":"python:3.12","pvcNames":["cache","scratch"]},',
  '"format":1,"inputs":{"artifacts":{"data":[{"content":{"sha256":"',
  'a'.repeat(64),
  '"},"metadata":{"rows":100},"type":{"schemaTitle":"system.Dataset"}}],',
  '"extra":[{"content":{"uri":"gs://bucket/imported.csv"},"metadata":{},',
  '"type":{"schemaTitle":"system.Artifact","schemaVersion":"0.0.1"}}]},',
  '"parameters":{"epochs":3,"flags":[true,null],"name":"ünïcode 🪨","opts":{"a":"x","b":1},"rate":0.5}},',
  '"outputs":{"artifacts":{"model":{"metadata":{"framework":"torch"},',
  '"type":{"schemaTitle":"system.Model","schemaVersion":"0.0.1"}}},"parameters":{"loss":"NUMBER_DOUBLE"}},',
  '"scope":{"namespace":"team-a","pipelineName":"train-pipeline"}}',
].join('');
const EXPECTED_FINGERPRINT = '6c15146896c18f730f3aa568f351a88a6c73187ea4ae4e9963cba97c95642334';
const EXPECTED_CUSTOM_FINGERPRINT = '181290458bc1d90853df0bd8381a8c0235b9bc60b17503a012f16a0227bc1120';

/** The same value with every object's keys in reverse order, at every level. */
function reversedKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(reversedKeys) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value)
        .reverse()
        .map(([key, item]) => [key, reversedKeys(item)]),
    ) as T;
  }
  return value;
}

describe('cacheFingerprint', () => {
  test('is stable: a fixed input gives a fixed document and hash', () => {
    assert.equal(canonicalJson(cacheKeyDocument(INPUT)), EXPECTED_DOCUMENT);
    assert.equal(cacheFingerprint(INPUT), EXPECTED_FINGERPRINT);
    assert.equal(cacheFingerprint({ ...INPUT, cacheKey: 'my-key-v1' }), EXPECTED_CUSTOM_FINGERPRINT);
  });

  test('does not depend on the order keys were built in', () => {
    const reversed = reversedKeys(INPUT);
    assert.notDeepEqual(Object.keys(reversed), Object.keys(INPUT));
    assert.equal(cacheFingerprint(reversed), EXPECTED_FINGERPRINT);
  });

  test('changes with everything that decides the outputs', () => {
    const [data] = INPUT.inputArtifacts.data ?? [];
    assert.ok(data);
    const variants: Record<string, CacheFingerprintInput> = {
      namespace: { ...INPUT, namespace: 'team-b' },
      pipelineName: { ...INPUT, pipelineName: 'other-pipeline' },
      image: { ...INPUT, image: 'python:3.13' },
      command: { ...INPUT, command: ['python3', '-m', 'train'] },
      args: { ...INPUT, args: [...(INPUT.args ?? []), '--verbose'] },
      pvcNames: { ...INPUT, pvcNames: ['scratch'] },
      parameterValue: { ...INPUT, inputParameterValues: { ...INPUT.inputParameterValues, epochs: 4 } },
      parameterType: { ...INPUT, inputParameterValues: { ...INPUT.inputParameterValues, epochs: '3' } },
      parameterAdded: { ...INPUT, inputParameterValues: { ...INPUT.inputParameterValues, seed: null } },
      artifactContent: {
        ...INPUT,
        inputArtifacts: { ...INPUT.inputArtifacts, data: [{ ...data, contentSha256: 'b'.repeat(64) }] },
      },
      artifactMetadata: {
        ...INPUT,
        inputArtifacts: { ...INPUT.inputArtifacts, data: [{ ...data, metadata: { rows: 101 } }] },
      },
      artifactType: {
        ...INPUT,
        inputArtifacts: { ...INPUT.inputArtifacts, data: [{ ...data, schemaTitle: 'system.Artifact' }] },
      },
      artifactInputName: {
        ...INPUT,
        inputArtifacts: { ...INPUT.inputArtifacts, data: [], training_data: [data] },
      },
      artifactListOrder: {
        ...INPUT,
        inputArtifacts: { data: [data, { ...data, contentSha256: 'c'.repeat(64) }] },
      },
      importedUri: {
        ...INPUT,
        inputArtifacts: {
          ...INPUT.inputArtifacts,
          extra: [{ schemaTitle: 'system.Artifact', schemaVersion: '0.0.1', uri: 'gs://bucket/other.csv' }],
        },
      },
      outputParameterType: { ...INPUT, outputParameters: { loss: 'STRING' } },
      outputParameterName: { ...INPUT, outputParameters: { final_loss: 'NUMBER_DOUBLE' } },
      outputArtifactType: {
        ...INPUT,
        outputArtifacts: { model: { schemaTitle: 'system.Artifact', schemaVersion: '0.0.1' } },
      },
      outputArtifactName: {
        ...INPUT,
        outputArtifacts: { trained: { schemaTitle: 'system.Model', schemaVersion: '0.0.1' } },
      },
    };
    const listed = variants.artifactListOrder?.inputArtifacts.data ?? [];
    const swapped = { ...INPUT, inputArtifacts: { data: [...listed].reverse() } };
    const fingerprints = new Map<string, string>([['base', EXPECTED_FINGERPRINT]]);
    for (const [name, variant] of [...Object.entries(variants), ['artifactListSwapped', swapped] as const]) {
      const fingerprint = cacheFingerprint(variant);
      const same = [...fingerprints].find(([, other]) => other === fingerprint);
      assert.equal(same, undefined, `${name} gives the same fingerprint as ${same?.[0]}`);
      fingerprints.set(name, fingerprint);
    }
  });

  test('ignores what cannot change the outputs', () => {
    const [data] = INPUT.inputArtifacts.data ?? [];
    assert.ok(data);
    // A stored artifact is its content: the run-specific URI it was read from does not matter.
    const elsewhere = {
      ...INPUT,
      inputArtifacts: { ...INPUT.inputArtifacts, data: [{ ...data, uri: 'file:///s/p/r2/ingest/data' }] },
    };
    assert.equal(cacheFingerprint(elsewhere), EXPECTED_FINGERPRINT);
    // The process runs the same argv however it is split between command and args (KFP joins them).
    const split = { ...INPUT, command: ['python'], args: ['-m', 'train', ...(INPUT.args ?? [])] };
    assert.equal(cacheFingerprint(split), EXPECTED_FINGERPRINT);
    assert.equal(cacheFingerprint({ ...INPUT, pvcNames: ['cache', 'scratch'] }), EXPECTED_FINGERPRINT);
    // JavaScript callers may build inputs with optional fields left undefined: those read as absent.
    const withUndefined = { ...INPUT.inputParameterValues, absent: undefined } as unknown as Record<
      string,
      JsonValue
    >;
    assert.equal(cacheFingerprint({ ...INPUT, inputParameterValues: withUndefined }), EXPECTED_FINGERPRINT);
    // An empty custom key is no custom key.
    assert.equal(cacheFingerprint({ ...INPUT, cacheKey: '' }), EXPECTED_FINGERPRINT);
  });

  test('a custom cache key replaces the computed key, within its scope and component', () => {
    const custom = { ...INPUT, cacheKey: 'my-key-v1' };
    const unrelated: CacheFingerprintInput = {
      ...custom,
      image: 'alpine',
      command: ['sh'],
      args: [],
      inputParameterValues: {},
      inputArtifacts: {},
      outputParameters: {},
      outputArtifacts: {},
    };
    assert.equal(cacheFingerprint(unrelated), EXPECTED_CUSTOM_FINGERPRINT);
    for (const changed of [
      { ...custom, cacheKey: 'my-key-v2' },
      { ...custom, componentName: 'comp-evaluate' },
      { ...custom, namespace: 'team-b' },
      { ...custom, pipelineName: 'other-pipeline' },
    ]) {
      assert.notEqual(cacheFingerprint(changed), EXPECTED_CUSTOM_FINGERPRINT);
    }
    // However long the key, the fingerprint is one SHA-256.
    assert.match(cacheFingerprint({ ...custom, cacheKey: 'k'.repeat(100_000) }), /^[0-9a-f]{64}$/);
  });

  test('refuses what it cannot hash faithfully', () => {
    const [data] = INPUT.inputArtifacts.data ?? [];
    assert.ok(data);
    assert.throws(
      () => cacheFingerprint({ ...INPUT, inputParameterValues: { rate: Number.NaN } }),
      /\$\.inputs\.parameters\.rate is NaN/,
    );
    assert.throws(
      () => cacheFingerprint({ ...INPUT, inputArtifacts: { data: [{ ...data, contentSha256: 'ABC' }] } }),
      /input artifact 'data'\[0\]: contentSha256 must be 64 lowercase hex digits/,
    );
  });
});

describe('canonicalJson', () => {
  test('sorts keys at every level and writes no whitespace', () => {
    assert.equal(
      canonicalJson({ b: [{ d: 1, c: 2 }], a: null, é: 'x', Z: true }),
      '{"Z":true,"a":null,"b":[{"c":2,"d":1}],"é":"x"}',
    );
    assert.equal(canonicalJson([1e21, -0, 0.1, 'a"b\n']), '[1e+21,0,0.1,"a\\"b\\n"]');
  });

  test('rejects values JSON cannot hold', () => {
    assert.throws(() => canonicalJson([undefined] as unknown as JsonValue), /\$\[0\] is undefined/);
    assert.throws(() => canonicalJson({ a: Number.POSITIVE_INFINITY }), /\$\.a is Infinity/);
    assert.throws(() => canonicalJson({ when: new Date(0) } as unknown as JsonValue), /\$\.when is a Date/);
  });
});
