// This module is embedded verbatim (types stripped) in every function component's program, next to
// executor-runtime.ts and in the same module scope: it may import only `node:` built-ins (and types), and its
// top-level names must not clash with that file's.

import { fileURLToPath, pathToFileURL } from 'node:url';
import type { JsonObject, JsonValue } from '@cairn/spec';

// Where KFP's launcher mounts (or downloads) object-store artifacts inside the container.
const MOUNTS = [
  { remote: 'gs://', local: '/gcs/' },
  { remote: 's3://', local: '/s3/' },
  { remote: 'minio://', local: '/minio/' },
] as const;

/**
 * What an artifact is built from: the fields of KFP's `RuntimeArtifact`.
 *
 * @example
 * const init: ArtifactInit = { name: 'train-data', uri: 's3://bucket/run/train-data', metadata: { rows: 1000 } };
 */
export interface ArtifactInit {
  name?: string;
  uri?: string;
  metadata?: JsonObject;
}

/**
 * A generic artifact (schema `system.Artifact`): a file or directory at `uri`, read and written through
 * its local `path`, with JSON `metadata` that the backend records when the task ends. The other artifact
 * classes extend it.
 *
 * @example
 * async function copy(inputs: { source: Artifact }, outputs: { copy: Artifact }) {
 *   const { copyFile } = await import('node:fs/promises');
 *   await copyFile(inputs.source.path, outputs.copy.path);
 *   outputs.copy.metadata.copiedFrom = inputs.source.uri;
 * }
 */
export class Artifact {
  /** The artifact's type in KFP's pipeline spec (`artifactType.schemaTitle`). */
  static readonly schemaTitle: string = 'system.Artifact';
  /** The schema version KFP's SDK writes for its `system.*` types. */
  static readonly schemaVersion: string = '0.0.1';

  name: string;
  uri: string;
  metadata: JsonObject;

  constructor(init: ArtifactInit = {}) {
    this.name = init.name ?? '';
    this.uri = init.uri ?? '';
    this.metadata = init.metadata ?? {};
  }

  /**
   * The local path of `uri`, as KFP maps it: `gs://b/x` is `/gcs/b/x`, `s3://` is under `/s3/`,
   * `minio://` under `/minio/`; a `file://` URI is its file's path and anything else is a path already.
   * Setting it sets `uri` the other way round (a plain absolute path becomes a `file://` URI).
   *
   * @example
   * new Dataset({ uri: 's3://bucket/data.csv' }).path; // '/s3/bucket/data.csv'
   */
  get path(): string {
    if (this.uri.startsWith('file://')) return fileURLToPath(this.uri);
    const mount = MOUNTS.find(({ remote }) => this.uri.startsWith(remote));
    return mount === undefined ? this.uri : mount.local + this.uri.slice(mount.remote.length);
  }

  set path(path: string) {
    const mount = MOUNTS.find(({ local }) => path.startsWith(local));
    if (mount !== undefined) this.uri = mount.remote + path.slice(mount.local.length);
    else this.uri = path.startsWith('/') ? pathToFileURL(path).href : path;
  }
}

/**
 * A trained model (schema `system.Model`). `framework` is kept in `metadata.framework`, as in KFP.
 *
 * @example
 * async function train(inputs: { data: Dataset }, outputs: { model: Model }) {
 *   const { writeFile } = await import('node:fs/promises');
 *   await writeFile(outputs.model.path, JSON.stringify({ weights: [0.1, 0.2] }));
 *   outputs.model.framework = 'custom';
 * }
 */
export class Model extends Artifact {
  static override readonly schemaTitle: string = 'system.Model';

  get framework(): string {
    const framework = this.metadata.framework;
    return typeof framework === 'string' ? framework : '';
  }

  set framework(framework: string) {
    this.metadata.framework = framework;
  }
}

/**
 * A data set (schema `system.Dataset`).
 *
 * @example
 * async function rows(inputs: { data: Dataset }) {
 *   const { readFile } = await import('node:fs/promises');
 *   return { count: (await readFile(inputs.data.path, 'utf8')).split('\n').length };
 * }
 */
export class Dataset extends Artifact {
  static override readonly schemaTitle: string = 'system.Dataset';
}

/**
 * Scalar metrics (schema `system.Metrics`), kept in `metadata` and shown by the UI as a table.
 *
 * @example
 * async function evaluate(_inputs: object, outputs: { metrics: Metrics }) {
 *   outputs.metrics.logMetric('accuracy', 0.93);
 * }
 */
export class Metrics extends Artifact {
  static override readonly schemaTitle: string = 'system.Metrics';

  /**
   * Sets the metric `name` to `value`, which must be a finite number.
   *
   * @example
   * metrics.logMetric('loss', 0.12);
   */
  logMetric(name: string, value: number): void {
    this.metadata[name] = finite(value, `metric '${name}'`);
  }
}

/**
 * Classification metrics (schema `system.ClassificationMetrics`): an ROC curve and a confusion matrix,
 * stored in `metadata` in the layout KFP's UI draws (`confidenceMetrics`, `confusionMatrix`).
 *
 * @example
 * async function evaluate(_inputs: object, outputs: { metrics: ClassificationMetrics }) {
 *   outputs.metrics.logRocCurve([0, 0.2, 1], [0, 0.8, 1], [1, 0.5, 0]);
 *   outputs.metrics.logConfusionMatrix(['cat', 'dog'], [[8, 2], [1, 9]]);
 * }
 */
export class ClassificationMetrics extends Artifact {
  static override readonly schemaTitle: string = 'system.ClassificationMetrics';

  /**
   * Adds one point to the ROC curve.
   *
   * @example
   * metrics.logRocDataPoint(0.1, 0.85, 0.5);
   */
  logRocDataPoint(fpr: number, tpr: number, threshold: number): void {
    const point = {
      confidenceThreshold: finite(threshold, 'threshold'),
      recall: finite(tpr, 'true positive rate'),
      falsePositiveRate: finite(fpr, 'false positive rate'),
    };
    const points = this.metadata.confidenceMetrics;
    if (Array.isArray(points)) points.push(point);
    else this.metadata.confidenceMetrics = [point];
  }

  /**
   * Adds an ROC curve given as three lists of the same length.
   *
   * @example
   * metrics.logRocCurve([0, 0.5, 1], [0, 0.9, 1], [1, 0.5, 0]);
   */
  logRocCurve(fpr: readonly number[], tpr: readonly number[], threshold: readonly number[]): void {
    if (fpr.length !== tpr.length || fpr.length !== threshold.length) {
      throw new RangeError(
        `fpr, tpr and threshold must have the same length; got ${fpr.length}, ${tpr.length} and ${threshold.length}`,
      );
    }
    fpr.forEach((rate, index) => {
      this.logRocDataPoint(rate, tpr[index] as number, threshold[index] as number);
    });
  }

  /**
   * Starts a confusion matrix over `categories`, all cells zero.
   *
   * @example
   * metrics.setConfusionMatrixCategories(['cat', 'dog']);
   */
  setConfusionMatrixCategories(categories: readonly string[]): void {
    this.metadata.confusionMatrix = {
      annotationSpecs: categories.map((displayName) => ({ displayName })),
      rows: categories.map(() => ({ row: categories.map(() => 0) })),
    };
  }

  /**
   * Sets the row of `rowCategory`, one value per category.
   *
   * @example
   * metrics.logConfusionMatrixRow('cat', [8, 2]);
   */
  logConfusionMatrixRow(rowCategory: string, row: readonly number[]): void {
    const { categories, rows } = this.#confusionMatrix();
    if (row.length !== categories.length) {
      throw new RangeError(`a confusion matrix row needs ${categories.length} values; got ${row.length}`);
    }
    rows[categoryIndex(categories, rowCategory)] = {
      row: row.map((value) => finite(value, 'confusion matrix cell')),
    };
  }

  /**
   * Sets one cell of the confusion matrix.
   *
   * @example
   * metrics.logConfusionMatrixCell('cat', 'dog', 2);
   */
  logConfusionMatrixCell(rowCategory: string, columnCategory: string, value: number): void {
    const { categories, rows } = this.#confusionMatrix();
    const target = rows[categoryIndex(categories, rowCategory)];
    if (!isJsonObject(target) || !Array.isArray(target.row)) {
      throw new Error(`the confusion matrix row of '${rowCategory}' is malformed: ${JSON.stringify(target)}`);
    }
    target.row[categoryIndex(categories, columnCategory)] = finite(value, 'confusion matrix cell');
  }

  /**
   * Logs a whole confusion matrix: `matrix[i][j]` counts items of `categories[i]` predicted as
   * `categories[j]`.
   *
   * @example
   * metrics.logConfusionMatrix(['cat', 'dog'], [[8, 2], [1, 9]]);
   */
  logConfusionMatrix(categories: readonly string[], matrix: readonly (readonly number[])[]): void {
    if (matrix.length !== categories.length || matrix.some((row) => row.length !== categories.length)) {
      throw new RangeError(`a confusion matrix over ${categories.length} categories must be square`);
    }
    this.setConfusionMatrixCategories(categories);
    categories.forEach((category, index) => {
      this.logConfusionMatrixRow(category, matrix[index] as readonly number[]);
    });
  }

  // Read back from metadata rather than kept aside, so that an input artifact can be extended too.
  #confusionMatrix(): { categories: string[]; rows: JsonValue[] } {
    const matrix = this.metadata.confusionMatrix;
    const specs = isJsonObject(matrix) ? matrix.annotationSpecs : undefined;
    const rows = isJsonObject(matrix) ? matrix.rows : undefined;
    if (!Array.isArray(specs) || !Array.isArray(rows)) {
      throw new Error('no confusion matrix yet: call setConfusionMatrixCategories first');
    }
    const categories = specs.map((spec) => (isJsonObject(spec) ? String(spec.displayName) : ''));
    return { categories, rows };
  }
}

/**
 * Classification metrics per slice of the data (schema `system.SlicedClassificationMetrics`): each
 * slice holds what {@link ClassificationMetrics} holds, under `metadata.evaluationSlices`.
 *
 * @example
 * async function evaluate(_inputs: object, outputs: { metrics: SlicedClassificationMetrics }) {
 *   outputs.metrics.loadConfusionMatrix('mobile', ['cat', 'dog'], [[4, 1], [0, 5]]);
 *   outputs.metrics.logRocReading('mobile', 0.5, 0.9, 0.1);
 * }
 */
export class SlicedClassificationMetrics extends Artifact {
  static override readonly schemaTitle: string = 'system.SlicedClassificationMetrics';

  /**
   * Adds one ROC point to `slice`; note KFP's argument order (threshold, tpr, fpr).
   *
   * @example
   * metrics.logRocReading('mobile', 0.5, 0.9, 0.1);
   */
  logRocReading(slice: string, threshold: number, tpr: number, fpr: number): void {
    this.#slice(slice).logRocDataPoint(fpr, tpr, threshold);
  }

  /**
   * Adds ROC points to `slice`, each `[threshold, tpr, fpr]`.
   *
   * @example
   * metrics.loadRocReadings('mobile', [[1, 0, 0], [0.5, 0.9, 0.1], [0, 1, 1]]);
   */
  loadRocReadings(slice: string, readings: readonly (readonly [number, number, number])[]): void {
    const metrics = this.#slice(slice);
    for (const [threshold, tpr, fpr] of readings) metrics.logRocDataPoint(fpr, tpr, threshold);
  }

  /**
   * Starts a confusion matrix over `categories` for `slice`.
   *
   * @example
   * metrics.setConfusionMatrixCategories('mobile', ['cat', 'dog']);
   */
  setConfusionMatrixCategories(slice: string, categories: readonly string[]): void {
    this.#slice(slice).setConfusionMatrixCategories(categories);
  }

  /**
   * Sets a row of the confusion matrix of `slice`.
   *
   * @example
   * metrics.logConfusionMatrixRow('mobile', 'cat', [4, 1]);
   */
  logConfusionMatrixRow(slice: string, rowCategory: string, row: readonly number[]): void {
    this.#slice(slice).logConfusionMatrixRow(rowCategory, row);
  }

  /**
   * Sets a cell of the confusion matrix of `slice`.
   *
   * @example
   * metrics.logConfusionMatrixCell('mobile', 'cat', 'dog', 1);
   */
  logConfusionMatrixCell(slice: string, rowCategory: string, columnCategory: string, value: number): void {
    this.#slice(slice).logConfusionMatrixCell(rowCategory, columnCategory, value);
  }

  /**
   * Logs the whole confusion matrix of `slice`.
   *
   * @example
   * metrics.loadConfusionMatrix('mobile', ['cat', 'dog'], [[4, 1], [0, 5]]);
   */
  loadConfusionMatrix(
    slice: string,
    categories: readonly string[],
    matrix: readonly (readonly number[])[],
  ): void {
    this.#slice(slice).logConfusionMatrix(categories, matrix);
  }

  // The returned metrics object writes straight into this slice's entry of `metadata`.
  #slice(slice: string): ClassificationMetrics {
    let slices = this.metadata.evaluationSlices;
    if (!Array.isArray(slices)) {
      slices = [];
      this.metadata.evaluationSlices = slices;
    }
    let entry = slices.find((candidate) => isJsonObject(candidate) && candidate.slice === slice);
    if (!isJsonObject(entry) || !isJsonObject(entry.sliceClassificationMetrics)) {
      entry = { slice, sliceClassificationMetrics: {} };
      slices.push(entry);
    }
    return new ClassificationMetrics({ metadata: entry.sliceClassificationMetrics as JsonObject });
  }
}

/**
 * An HTML page (schema `system.HTML`), which KFP's UI renders.
 *
 * @example
 * async function report(_inputs: object, outputs: { page: HTML }) {
 *   const { writeFile } = await import('node:fs/promises');
 *   await writeFile(outputs.page.path, '<h1>Done</h1>');
 * }
 */
export class HTML extends Artifact {
  static override readonly schemaTitle: string = 'system.HTML';
}

/**
 * A Markdown document (schema `system.Markdown`), which KFP's UI renders.
 *
 * @example
 * async function summary(_inputs: object, outputs: { notes: Markdown }) {
 *   const { writeFile } = await import('node:fs/promises');
 *   await writeFile(outputs.notes.path, '# Summary\n\nAll good.');
 * }
 */
export class Markdown extends Artifact {
  static override readonly schemaTitle: string = 'system.Markdown';
}

const ARTIFACT_CLASSES: readonly (typeof Artifact)[] = [
  Artifact,
  Model,
  Dataset,
  Metrics,
  ClassificationMetrics,
  SlicedClassificationMetrics,
  HTML,
  Markdown,
];

/**
 * The class of the first schema title that names one of the classes above, else {@link Artifact} (KFP
 * does the same for types it has no class for, such as `google.VertexModel`).
 *
 * @example
 * artifactClassFor('system.Metrics'); // Metrics
 * artifactClassFor('acme.Tokenizer', 'system.Model'); // Model
 */
export function artifactClassFor(...schemaTitles: readonly (string | undefined)[]): typeof Artifact {
  for (const title of schemaTitles) {
    const found = ARTIFACT_CLASSES.find((artifactClass) => artifactClass.schemaTitle === title);
    if (found !== undefined) return found;
  }
  return Artifact;
}

function finite(value: number, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TypeError(`${what} must be a finite number; got ${String(value)} (${typeof value})`);
  }
  return value;
}

function categoryIndex(categories: readonly string[], category: string): number {
  const index = categories.indexOf(category);
  if (index < 0) {
    throw new RangeError(`unknown category '${category}'; the categories are ${JSON.stringify(categories)}`);
  }
  return index;
}

function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
