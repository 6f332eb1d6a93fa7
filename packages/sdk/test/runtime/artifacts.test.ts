import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  Artifact,
  artifactClassFor,
  ClassificationMetrics,
  Dataset,
  HTML,
  Markdown,
  Metrics,
  Model,
  SlicedClassificationMetrics,
} from '../../src/runtime/artifacts.ts';

describe('artifact paths', () => {
  it('maps object-store URIs to the mounts KFP uses, file:// URIs to their file and paths to themselves', () => {
    const pathOf = (uri: string): string => new Artifact({ uri }).path;
    assert.equal(pathOf('gs://bucket/run/task/model'), '/gcs/bucket/run/task/model');
    assert.equal(pathOf('s3://bucket/run/data.csv'), '/s3/bucket/run/data.csv');
    assert.equal(pathOf('minio://mlpipeline/v2/artifacts/x'), '/minio/mlpipeline/v2/artifacts/x');
    assert.equal(pathOf('file:///var/cairn/run%201/data%23.csv'), '/var/cairn/run 1/data#.csv');
    assert.equal(pathOf('/tmp/already/local'), '/tmp/already/local');
    assert.equal(pathOf(''), '');
  });

  it('maps a path set back to the URI it stands for', () => {
    const artifact = new Dataset();
    artifact.path = '/s3/bucket/key';
    assert.equal(artifact.uri, 's3://bucket/key');
    artifact.path = '/gcs/bucket/key';
    assert.equal(artifact.uri, 'gs://bucket/key');
    artifact.path = '/minio/bucket/key';
    assert.equal(artifact.uri, 'minio://bucket/key');
    artifact.path = '/tmp/run 1/out#.txt';
    assert.equal(artifact.uri, 'file:///tmp/run%201/out%23.txt');
    assert.equal(artifact.path, '/tmp/run 1/out#.txt');
    artifact.path = 'relative/file';
    assert.equal(artifact.uri, 'relative/file');
  });
});

describe('artifact classes', () => {
  it('carry the schema titles of KFP and default to empty fields', () => {
    const titles = [
      Artifact,
      Model,
      Dataset,
      Metrics,
      ClassificationMetrics,
      SlicedClassificationMetrics,
      HTML,
      Markdown,
    ].map((artifactClass) => artifactClass.schemaTitle);
    assert.deepEqual(titles, [
      'system.Artifact',
      'system.Model',
      'system.Dataset',
      'system.Metrics',
      'system.ClassificationMetrics',
      'system.SlicedClassificationMetrics',
      'system.HTML',
      'system.Markdown',
    ]);
    assert.deepEqual({ ...new Markdown() }, { name: '', uri: '', metadata: {} });
  });

  it('finds the class of the first known schema title, else Artifact', () => {
    assert.equal(artifactClassFor('system.Metrics'), Metrics);
    assert.equal(artifactClassFor(undefined, 'system.HTML'), HTML);
    assert.equal(artifactClassFor('google.VertexModel', 'system.Model'), Model);
    assert.equal(artifactClassFor('google.VertexModel'), Artifact);
    assert.equal(artifactClassFor(), Artifact);
  });

  it('keeps the model framework in metadata', () => {
    const model = new Model({ metadata: { framework: 'onnx' } });
    assert.equal(model.framework, 'onnx');
    model.framework = 'torch';
    assert.deepEqual(model.metadata, { framework: 'torch' });
    assert.equal(new Model().framework, '');
  });

  it('logs scalar metrics and refuses what is not a finite number', () => {
    const metrics = new Metrics();
    metrics.logMetric('accuracy', 0.93);
    metrics.logMetric('epochs', 12);
    assert.deepEqual(metrics.metadata, { accuracy: 0.93, epochs: 12 });
    assert.throws(
      () => metrics.logMetric('loss', Number.NaN),
      /metric 'loss' must be a finite number; got NaN/,
    );
    assert.throws(() => metrics.logMetric('loss', '0.1' as unknown as number), /got 0\.1 \(string\)/);
  });
});

describe('ClassificationMetrics', () => {
  it('writes the ROC curve and confusion matrix in the layout of KFP', () => {
    const metrics = new ClassificationMetrics();
    metrics.logRocCurve([0, 0.25], [0, 0.75], [1, 0.5]);
    metrics.logRocDataPoint(1, 1, 0);
    metrics.logConfusionMatrix(
      ['cat', 'dog'],
      [
        [8, 2],
        [1, 9],
      ],
    );
    assert.deepEqual(metrics.metadata, {
      confidenceMetrics: [
        { confidenceThreshold: 1, recall: 0, falsePositiveRate: 0 },
        { confidenceThreshold: 0.5, recall: 0.75, falsePositiveRate: 0.25 },
        { confidenceThreshold: 0, recall: 1, falsePositiveRate: 1 },
      ],
      confusionMatrix: {
        annotationSpecs: [{ displayName: 'cat' }, { displayName: 'dog' }],
        rows: [{ row: [8, 2] }, { row: [1, 9] }],
      },
    });
  });

  it('fills a matrix cell by cell and row by row, also one read back from metadata', () => {
    const metrics = new ClassificationMetrics();
    metrics.setConfusionMatrixCategories(['a', 'b', 'c']);
    metrics.logConfusionMatrixCell('a', 'c', 4);
    metrics.logConfusionMatrixRow('b', [1, 2, 3]);
    const reread = new ClassificationMetrics({ metadata: JSON.parse(JSON.stringify(metrics.metadata)) });
    reread.logConfusionMatrixCell('c', 'a', 7);
    assert.deepEqual(reread.metadata.confusionMatrix, {
      annotationSpecs: [{ displayName: 'a' }, { displayName: 'b' }, { displayName: 'c' }],
      rows: [{ row: [0, 0, 4] }, { row: [1, 2, 3] }, { row: [7, 0, 0] }],
    });
  });

  it('explains misuse', () => {
    const metrics = new ClassificationMetrics();
    assert.throws(
      () => metrics.logConfusionMatrixCell('a', 'b', 1),
      /call setConfusionMatrixCategories first/,
    );
    metrics.setConfusionMatrixCategories(['a', 'b']);
    assert.throws(
      () => metrics.logConfusionMatrixCell('a', 'z', 1),
      /unknown category 'z'; the categories are \["a","b"\]/,
    );
    assert.throws(() => metrics.logConfusionMatrixRow('a', [1]), /needs 2 values; got 1/);
    assert.throws(() => metrics.logConfusionMatrix(['a', 'b'], [[1, 2]]), /must be square/);
    assert.throws(() => metrics.logRocCurve([0, 1], [0], [1, 0]), /same length; got 2, 1 and 2/);
    assert.throws(
      () => metrics.logRocDataPoint(0, Number.POSITIVE_INFINITY, 1),
      /true positive rate must be a finite/,
    );
  });
});

describe('SlicedClassificationMetrics', () => {
  it('keeps classification metrics per slice in the layout of KFP', () => {
    const metrics = new SlicedClassificationMetrics();
    metrics.loadConfusionMatrix(
      'mobile',
      ['cat', 'dog'],
      [
        [4, 1],
        [0, 5],
      ],
    );
    metrics.logRocReading('mobile', 0.5, 0.9, 0.1);
    metrics.loadRocReadings('desktop', [
      [1, 0, 0],
      [0, 1, 1],
    ]);
    metrics.setConfusionMatrixCategories('desktop', ['cat', 'dog']);
    metrics.logConfusionMatrixRow('desktop', 'dog', [2, 3]);
    metrics.logConfusionMatrixCell('desktop', 'cat', 'cat', 6);
    assert.deepEqual(metrics.metadata, {
      evaluationSlices: [
        {
          slice: 'mobile',
          sliceClassificationMetrics: {
            confusionMatrix: {
              annotationSpecs: [{ displayName: 'cat' }, { displayName: 'dog' }],
              rows: [{ row: [4, 1] }, { row: [0, 5] }],
            },
            confidenceMetrics: [{ confidenceThreshold: 0.5, recall: 0.9, falsePositiveRate: 0.1 }],
          },
        },
        {
          slice: 'desktop',
          sliceClassificationMetrics: {
            confidenceMetrics: [
              { confidenceThreshold: 1, recall: 0, falsePositiveRate: 0 },
              { confidenceThreshold: 0, recall: 1, falsePositiveRate: 1 },
            ],
            confusionMatrix: {
              annotationSpecs: [{ displayName: 'cat' }, { displayName: 'dog' }],
              rows: [{ row: [6, 0] }, { row: [2, 3] }],
            },
          },
        },
      ],
    });
  });
});
