/**
 * A problem found in a pipeline document. Every issue points into the document, so a user can find the
 * field, and carries a stable code, so tools (and the table-driven tests) can branch on the kind of problem
 * without parsing messages.
 */
export type SpecIssueCode =
  // The text itself.
  | 'SYNTAX'
  | 'DOCUMENT_COUNT'
  // Structure: a field of the wrong shape, missing, conflicting, or not known to this version of Cairn.
  | 'FIELD_TYPE'
  | 'FIELD_REQUIRED'
  | 'FIELD_UNKNOWN'
  | 'ENUM_VALUE'
  | 'ONEOF_CONFLICT'
  | 'SCHEMA_VERSION_UNSUPPORTED'
  // References between parts of the spec.
  | 'COMPONENT_UNDEFINED'
  | 'EXECUTOR_UNDEFINED'
  | 'EXECUTOR_UNSUPPORTED'
  | 'TASK_UNDEFINED'
  | 'DEPENDENCY_CYCLE'
  | 'COMPONENT_RECURSION'
  | 'INPUT_UNDEFINED'
  | 'INPUT_MISSING'
  | 'OUTPUT_UNDEFINED'
  | 'TYPE_MISMATCH'
  | 'ITERATOR_INVALID'
  | 'DEFAULT_VALUE_INVALID'
  // Expressions.
  | 'CEL_SYNTAX'
  | 'PLACEHOLDER_SYNTAX'
  | 'PLACEHOLDER_UNDEFINED';

export type PathSegment = string | number;

export interface SpecIssue {
  readonly code: SpecIssueCode;
  readonly severity: 'error' | 'warning';
  /** 0 for the PipelineSpec, 1 for the PlatformSpec that may follow it. */
  readonly document: number;
  readonly path: readonly PathSegment[];
  readonly message: string;
  /** 1-based position of the offending node in the source text, when it came from text. */
  readonly line?: number;
  readonly column?: number;
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * Renders a path the way users read it in the YAML: `root.dag.tasks.train.componentRef.name`. Keys that
 * would be ambiguous in dotted form (dots, spaces, empty) are quoted in brackets; list positions are `[n]`.
 */
export function formatPath(path: readonly PathSegment[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text === '' ? '(document)' : text;
}

/** One line per issue: `path: message`, with the source position when known. */
export function formatIssue(issue: SpecIssue): string {
  const where = issue.line === undefined ? '' : ` (line ${issue.line}, column ${issue.column ?? 1})`;
  const prefix = issue.document > 0 ? `platform spec: ` : '';
  return `${prefix}${formatPath(issue.path)}${where}: ${issue.message}`;
}

export function hasErrors(issues: readonly SpecIssue[]): boolean {
  return issues.some((issue) => issue.severity === 'error');
}

/** Collects issues for one document; checks call `error` and `warn` rather than throwing. */
export class IssueCollector {
  readonly issues: SpecIssue[] = [];
  readonly document: number;

  constructor(document = 0) {
    this.document = document;
  }

  error(code: SpecIssueCode, path: readonly PathSegment[], message: string): void {
    this.issues.push({ code, severity: 'error', document: this.document, path: [...path], message });
  }

  warn(code: SpecIssueCode, path: readonly PathSegment[], message: string): void {
    this.issues.push({ code, severity: 'warning', document: this.document, path: [...path], message });
  }
}
