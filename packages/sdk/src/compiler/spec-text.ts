import type { ComponentSpec, JsonValue, PipelineSpec } from '@cairn/spec';
import { Document, type Pair, type Scalar } from 'yaml';
import {
  compareCodePoints,
  type JsonPath,
  pythonFloatRepr,
  pythonJson,
} from '../dsl/python-compat/python-json.ts';
import { pythonRepr } from '../dsl/python-compat/python-repr.ts';

// In protobuf's JSON form only these numeric fields of a pipeline spec are integers; every other number
// is a double or sits in a `google.protobuf.Value`, which Python reads back as a float and KFP's YAML
// and JSON show as `1.0`.
const INTEGER_FIELDS = new Set(['maxRetryCount', 'parallelismLimit', 'limit']);
// 64-bit integers are strings in protobuf's JSON form.
const INT64_FIELDS = new Set(['count']);
// Fields holding free-form JSON (`Value`/`Struct`): their numbers are floats whatever their keys.
const STRUCT_FIELDS = new Set(['defaultValue', 'constant', 'metadata', 'customProperties', 'properties']);

function insideStruct(path: JsonPath): boolean {
  return path.slice(0, -1).some((segment) => typeof segment === 'string' && STRUCT_FIELDS.has(segment));
}

function numberKind(path: JsonPath): 'integer' | 'int64' | 'float' {
  const key = path.at(-1);
  if (typeof key !== 'string' || insideStruct(path)) return 'float';
  if (INTEGER_FIELDS.has(key)) return 'integer';
  return INT64_FIELDS.has(key) && path.at(-2) === 'accelerator' ? 'int64' : 'float';
}

/** A number Python holds as a float, so it is written with a fraction (`1.0`). */
class PythonFloat {
  readonly value: number;

  constructor(value: number) {
    this.value = value;
  }
}

const floatTag = {
  tag: 'tag:yaml.org,2002:float',
  default: true,
  identify: (value: unknown): boolean => value instanceof PythonFloat,
  resolve: (text: string): number => Number(text),
  // PyYAML writes Python's repr, lower-cased, and keeps a `.0` before an exponent.
  stringify: (item: Scalar): string => {
    const { value } = item.value as PythonFloat;
    if (Number.isNaN(value)) return '.nan';
    if (!Number.isFinite(value)) return value > 0 ? '.inf' : '-.inf';
    const repr = pythonFloatRepr(value).toLowerCase();
    return !repr.includes('.') && repr.includes('e') ? repr.replace('e', '.0e') : repr;
  },
};

function withProtoNumbers(value: unknown, path: JsonPath): unknown {
  if (typeof value === 'number') {
    const kind = numberKind(path);
    return kind === 'integer' ? value : kind === 'int64' ? String(value) : new PythonFloat(value);
  }
  if (Array.isArray(value)) return value.map((item, index) => withProtoNumbers(item, [...path, index]));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, member]) => [key, withProtoNumbers(member, [...path, key])]),
    );
  }
  return value;
}

/**
 * A pipeline spec as KFP writes it to YAML: the `# PIPELINE DEFINITION` header, then the spec with keys
 * sorted, lists not indented under their key, floats with a fraction and 64-bit integers as strings.
 * Unlike PyYAML, long strings are not folded, and multi-line ones are written as literal blocks.
 *
 * @example
 * writeFileSync('pipeline.yaml', specToYaml(compilePipeline(myPipeline)));
 */
export function specToYaml(spec: PipelineSpec): string {
  const document = new Document(withProtoNumbers(spec, []), {
    customTags: [floatTag],
    sortMapEntries: (a: Pair, b: Pair) => compareCodePoints(String(a.key), String(b.key)),
  });
  return headerComment(spec) + document.toString({ indentSeq: false, singleQuote: true, lineWidth: 0 });
}

/**
 * A pipeline spec as KFP writes it to JSON: `json.dump(indent=2, sort_keys=True)`, with floats written
 * with a fraction and 64-bit integers as strings.
 *
 * @example
 * const json = specToJson(compilePipeline(myPipeline));
 */
export function specToJson(spec: PipelineSpec): string {
  return pythonJson(spec as unknown as JsonValue, {
    indent: 2,
    sortKeys: true,
    numberText: (value, path) => {
      const kind = numberKind(path);
      return kind === 'integer' ? String(value) : kind === 'int64' ? `"${value}"` : pythonFloatRepr(value);
    },
  });
}

const COMMENT_TYPE: Record<string, string> = {
  STRING: 'str',
  NUMBER_INTEGER: 'int',
  NUMBER_DOUBLE: 'float',
  LIST: 'list',
  STRUCT: 'dict',
  BOOLEAN: 'bool',
  TASK_FINAL_STATUS: 'PipelineTaskFinalStatus',
  TASK_CONFIG: 'TaskConfig',
};

/**
 * The comment KFP writes above a compiled pipeline: its name, description, and its inputs and outputs
 * with types and defaults (KFP's `extract_comments_from_pipeline_spec`).
 *
 * @example
 * headerComment(spec); // '# PIPELINE DEFINITION\n# Name: hello-world\n'
 */
export function headerComment(spec: PipelineSpec): string {
  const lines = ['# PIPELINE DEFINITION', `# Name: ${spec.pipelineInfo.name}`];
  const description = spec.pipelineInfo.description;
  if (description) lines.push(`# Description: ${description.split(/\r\n|\r|\n/).join('\n#              ')}`);
  lines.push(...signatureLines('# Inputs:', spec.root.inputDefinitions));
  lines.push(...signatureLines('# Outputs:', spec.root.outputDefinitions));
  return `${lines.join('\n')}\n`;
}

function signatureLines(
  heading: string,
  definitions: ComponentSpec['inputDefinitions'] | ComponentSpec['outputDefinitions'],
): string[] {
  if (definitions === undefined) return [];
  const entries: { name: string; type: string; defaultValue?: JsonValue }[] = [];
  for (const [name, parameter] of Object.entries(definitions.parameters ?? {})) {
    const entry: { name: string; type: string; defaultValue?: JsonValue } = {
      name,
      type: COMMENT_TYPE[parameter.parameterType ?? ''] ?? String(parameter.parameterType),
    };
    if ('defaultValue' in parameter && parameter.defaultValue !== undefined)
      entry.defaultValue = parameter.defaultValue as JsonValue;
    entries.push(entry);
  }
  for (const [name, artifact] of Object.entries(definitions.artifacts ?? {})) {
    entries.push({ name, type: artifact.artifactType?.schemaTitle ?? '' });
  }
  entries.sort((a, b) => compareCodePoints(a.name, b.name));
  return [
    heading,
    ...entries.map(({ name, type, defaultValue }) => {
      if (defaultValue === undefined) return `#    ${name}: ${type}`;
      const shown = typeof defaultValue === 'string' ? `'${defaultValue}'` : pythonRepr(defaultValue);
      return `#    ${name}: ${type} [Default: ${shown}]`;
    }),
  ];
}
