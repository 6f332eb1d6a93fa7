/**
 * KFP's container placeholders, parsed once so that the validator can check what they name and the local
 * executor can resolve them. Two forms exist:
 * - string placeholders inside any command or argument: `{{$}}`, `{{$.inputs.parameters['x']}}`,
 *   `{{$.outputs.artifacts['model'].path}}`, `{{$.pipeline_job_name}}`, ...;
 * - structured placeholders, an argument that is a JSON object: `{"Concat": [...]}` and
 *   `{"IfPresent": {"InputName": "x", "Then": [...], "Else": [...]}}`.
 */
export type Placeholder =
  | { readonly kind: 'executorInput' }
  | { readonly kind: 'inputParameter'; readonly name: string }
  | {
      readonly kind: 'inputArtifact';
      readonly name: string;
      readonly field: InputArtifactField;
      readonly key?: string;
    }
  | { readonly kind: 'outputParameterFile'; readonly name: string }
  | { readonly kind: 'outputArtifact'; readonly name: string; readonly field: OutputArtifactField }
  | { readonly kind: 'outputMetadataFile' }
  | { readonly kind: 'system'; readonly name: SystemPlaceholder }
  /** A `{{$...}}` this version of Cairn does not know; it is passed through unchanged. */
  | { readonly kind: 'unknown'; readonly text: string };

/** `artifact` is the bare `{{$.inputs.artifacts['x']}}` form: the artifact (list) as JSON. */
export type InputArtifactField = 'uri' | 'path' | 'metadata' | 'metadataKey' | 'value' | 'artifact';
export type OutputArtifactField = 'uri' | 'path' | 'metadata';

export const SYSTEM_PLACEHOLDERS = [
  'pipeline_job_name',
  'pipeline_job_uuid',
  'pipeline_job_resource_name',
  'pipeline_job_create_time_utc',
  'pipeline_job_schedule_time_utc',
  'pipeline_task_name',
  'pipeline_task_uuid',
  'pipeline_root',
  'workspace_path',
  'pipeline_google_cloud_project_id',
  'pipeline_google_cloud_location',
] as const;
export type SystemPlaceholder = (typeof SYSTEM_PLACEHOLDERS)[number];

export type TemplatePart = string | Placeholder;

/** One command or argument of a container, ready to be resolved. */
export type ArgumentTemplate =
  | { readonly kind: 'text'; readonly parts: readonly TemplatePart[] }
  | { readonly kind: 'concat'; readonly items: readonly ArgumentTemplate[] }
  | {
      readonly kind: 'ifPresent';
      readonly inputName: string;
      readonly whenPresent: readonly ArgumentTemplate[];
      readonly whenAbsent: readonly ArgumentTemplate[];
    };

export class PlaceholderSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlaceholderSyntaxError';
  }
}

const PLACEHOLDER = /\{\{\$(.*?)\}\}/g;
const QUOTED_KEY = String.raw`\[\s*(?:'([^']*)'|"([^"]*)")\s*\]`;
const INPUT_PARAMETER = new RegExp(`^\\.inputs\\.parameters${QUOTED_KEY}$`);
const INPUT_ARTIFACT = new RegExp(
  `^\\.inputs\\.artifacts${QUOTED_KEY}(?:\\.(uri|path|value|metadata)(?:${QUOTED_KEY})?)?$`,
);
const OUTPUT_PARAMETER = new RegExp(`^\\.outputs\\.parameters${QUOTED_KEY}\\.output_file$`);
const OUTPUT_ARTIFACT = new RegExp(`^\\.outputs\\.artifacts${QUOTED_KEY}\\.(uri|path|metadata)$`);

/** Splits a string into literal text and the placeholders in it. */
export function parseTemplateText(text: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let last = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    if (match.index > last) parts.push(text.slice(last, match.index));
    parts.push(parsePlaceholderBody(match[1] ?? '', match[0]));
    last = match.index + match[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return parts;
}

function parsePlaceholderBody(body: string, text: string): Placeholder {
  if (body === '') return { kind: 'executorInput' };
  if (body === '.outputs.output_file') return { kind: 'outputMetadataFile' };
  let match = INPUT_PARAMETER.exec(body);
  if (match) return { kind: 'inputParameter', name: keyOf(match, 1) };
  match = INPUT_ARTIFACT.exec(body);
  if (match) {
    const name = keyOf(match, 1);
    const field = match[3] as 'uri' | 'path' | 'value' | 'metadata' | undefined;
    if (field === undefined) return { kind: 'inputArtifact', name, field: 'artifact' };
    if (field === 'metadata' && (match[4] !== undefined || match[5] !== undefined)) {
      return { kind: 'inputArtifact', name, field: 'metadataKey', key: keyOf(match, 4) };
    }
    if (match[4] !== undefined || match[5] !== undefined) {
      throw new PlaceholderSyntaxError(`${text}: only .metadata takes a ['key'] selector`);
    }
    return { kind: 'inputArtifact', name, field };
  }
  match = OUTPUT_PARAMETER.exec(body);
  if (match) return { kind: 'outputParameterFile', name: keyOf(match, 1) };
  match = OUTPUT_ARTIFACT.exec(body);
  if (match) return { kind: 'outputArtifact', name: keyOf(match, 1), field: match[3] as OutputArtifactField };
  const system = body.startsWith('.') ? body.slice(1) : body;
  if ((SYSTEM_PLACEHOLDERS as readonly string[]).includes(system)) {
    return { kind: 'system', name: system as SystemPlaceholder };
  }
  if (/^\.(inputs|outputs)\b/.test(body)) {
    throw new PlaceholderSyntaxError(
      `${text} is not a placeholder KFP defines; expected {{$.inputs.parameters['name']}}, ` +
        `{{$.inputs.artifacts['name'].uri|path|metadata}}, {{$.outputs.artifacts['name'].uri|path|metadata}}, ` +
        `{{$.outputs.parameters['name'].output_file}} or {{$.outputs.output_file}}`,
    );
  }
  return { kind: 'unknown', text };
}

/** The key captured by a QUOTED_KEY group pair starting at `group` (single- or double-quoted). */
function keyOf(match: RegExpExecArray, group: number): string {
  return match[group] ?? match[group + 1] ?? '';
}

/**
 * Parses one command or argument. A string that is a JSON object with a `Concat` or `IfPresent` key is a
 * structured placeholder, exactly as the KFP SDK serialises them; anything else is text.
 */
export function parseArgument(argument: string): ArgumentTemplate {
  const trimmed = argument.trim();
  if (trimmed.startsWith('{"Concat"') || trimmed.startsWith('{"IfPresent"')) {
    let structured: unknown;
    try {
      structured = JSON.parse(trimmed);
    } catch (error) {
      throw new PlaceholderSyntaxError(
        `structured placeholder is not valid JSON: ${(error as Error).message}`,
      );
    }
    return parseStructured(structured);
  }
  return { kind: 'text', parts: parseTemplateText(argument) };
}

function parseStructured(value: unknown): ArgumentTemplate {
  if (typeof value === 'string') return parseArgument(value);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new PlaceholderSyntaxError(
      `expected a string or a {"Concat"|"IfPresent": ...} object, got ${show(value)}`,
    );
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length !== 1) {
    throw new PlaceholderSyntaxError(
      `a structured placeholder has exactly one key, Concat or IfPresent; got ${show(keys)}`,
    );
  }
  if ('Concat' in record) {
    const items = record.Concat;
    if (!Array.isArray(items)) throw new PlaceholderSyntaxError(`Concat takes a list, got ${show(items)}`);
    return { kind: 'concat', items: items.map(parseStructured) };
  }
  if ('IfPresent' in record) {
    const body = record.IfPresent;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new PlaceholderSyntaxError(
        `IfPresent takes an object {InputName, Then, Else}, got ${show(body)}`,
      );
    }
    const { InputName, Then, Else, ...rest } = body as Record<string, unknown>;
    if (typeof InputName !== 'string') {
      throw new PlaceholderSyntaxError(`IfPresent.InputName must be a string, got ${show(InputName)}`);
    }
    if (Object.keys(rest).length > 0) {
      throw new PlaceholderSyntaxError(
        `IfPresent takes InputName, Then and Else; unknown ${show(Object.keys(rest))}`,
      );
    }
    return {
      kind: 'ifPresent',
      inputName: InputName,
      whenPresent: branch(Then, 'Then'),
      whenAbsent: branch(Else, 'Else'),
    };
  }
  throw new PlaceholderSyntaxError(
    `unknown structured placeholder ${show(keys[0])}; expected Concat or IfPresent`,
  );
}

/** Then/Else hold one argument or a list of them; absent means no arguments. */
function branch(value: unknown, name: string): ArgumentTemplate[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return value.map(parseStructured);
  if (typeof value === 'string' || typeof value === 'object') return [parseStructured(value)];
  throw new PlaceholderSyntaxError(`IfPresent.${name} must be a string or a list, got ${show(value)}`);
}

/** Every placeholder an argument uses, and the input names its IfPresent forms test. */
export function placeholdersOf(template: ArgumentTemplate): {
  placeholders: Placeholder[];
  ifPresent: string[];
} {
  const placeholders: Placeholder[] = [];
  const ifPresent: string[] = [];
  const visit = (node: ArgumentTemplate): void => {
    if (node.kind === 'text') {
      for (const part of node.parts) if (typeof part !== 'string') placeholders.push(part);
    } else if (node.kind === 'concat') {
      node.items.forEach(visit);
    } else {
      ifPresent.push(node.inputName);
      node.whenPresent.forEach(visit);
      node.whenAbsent.forEach(visit);
    }
  };
  visit(template);
  return { placeholders, ifPresent };
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
