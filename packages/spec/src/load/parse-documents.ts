import { type Document, isNode, LineCounter, parseAllDocuments } from 'yaml';
import type { PathSegment, SpecIssue } from '../issues/spec-issue.ts';
import { indentQuotedContinuations } from './indent-quoted-continuations.ts';
import { readJsonObject } from './read-json-object.ts';

/** The documents of a pipeline file as plain JSON values, with a way back to source positions. */
export interface ParsedDocuments {
  readonly values: unknown[];
  /** The 1-based line and column of the node at `path` in document `document`, or of its nearest parent. */
  locate(document: number, path: readonly PathSegment[]): { line: number; column: number } | undefined;
}

export type ParseOutcome = { ok: true; parsed: ParsedDocuments } | { ok: false; issues: SpecIssue[] };

/**
 * Parses YAML or JSON (JSON is read as YAML 1.2, which it is a subset of), one or more documents.
 * Aliases are capped so that a "billion laughs" document fails quickly instead of exhausting memory, and
 * string keys are enforced so that every mapping becomes a JSON object.
 *
 * JSON that the YAML parser would read to the same value is read by JSON.parse, many times faster; the
 * YAML parser then reads it only if an issue needs a source position.
 */
export function parseDocuments(text: string): ParseOutcome {
  const json = readJsonObject(text);
  if (json !== undefined) {
    let located: ParsedDocuments['locate'] | undefined;
    return {
      ok: true,
      parsed: {
        values: [json],
        locate(document, path) {
          if (located === undefined) {
            const attempt = parseYaml(text);
            located = attempt.ok ? locator(attempt) : () => undefined;
          }
          return located(document, path);
        },
      },
    };
  }
  let attempt = parseYaml(text);
  if (!attempt.ok) {
    // What libyaml accepts, Cairn accepts: see indentQuotedContinuations for why this is safe.
    const relaxed = indentQuotedContinuations(text);
    if (relaxed !== text) {
      const retry = parseYaml(relaxed);
      if (retry.ok) attempt = retry;
    }
  }
  if (!attempt.ok) return attempt;
  const values: unknown[] = [];
  for (const [index, document] of nonEmptyDocuments(attempt).entries()) {
    try {
      values.push(document.toJS({ maxAliasCount: 50 }));
    } catch (error) {
      return { ok: false, issues: [syntaxIssue(index, describeParserFailure(error))] };
    }
  }
  return { ok: true, parsed: { values, locate: locator(attempt) } };
}

interface ParsedYaml {
  readonly documents: Document.Parsed[];
  readonly lineCounter: LineCounter;
}

type YamlAttempt = ({ ok: true } & ParsedYaml) | { ok: false; issues: SpecIssue[] };

function nonEmptyDocuments({ documents }: ParsedYaml): Document.Parsed[] {
  return documents.filter((document) => document.contents !== null);
}

function locator(parsed: ParsedYaml): ParsedDocuments['locate'] {
  const nonEmpty = nonEmptyDocuments(parsed);
  return (document, path) => {
    const doc = nonEmpty[document];
    if (doc === undefined) return undefined;
    for (let length = path.length; length >= 0; length--) {
      const node = length === 0 ? doc.contents : doc.getIn(path.slice(0, length), true);
      if (isNode(node) && node.range) {
        const position = parsed.lineCounter.linePos(node.range[0]);
        return { line: position.line, column: position.col };
      }
    }
    return undefined;
  };
}

function parseYaml(text: string): YamlAttempt {
  const lineCounter = new LineCounter();
  let documents: Document.Parsed[];
  try {
    documents = parseAllDocuments(text, {
      lineCounter,
      prettyErrors: false,
      uniqueKeys: true,
      stringKeys: true,
    });
  } catch (error) {
    return { ok: false, issues: [syntaxIssue(0, describeParserFailure(error))] };
  }
  const issues: SpecIssue[] = [];
  documents.forEach((document, index) => {
    for (const error of document.errors) {
      const position = lineCounter.linePos(error.pos[0]);
      issues.push({
        ...syntaxIssue(index, firstLine(error.message)),
        line: position.line,
        column: position.col,
      });
    }
  });
  return issues.length > 0 ? { ok: false, issues } : { ok: true, documents, lineCounter };
}

function syntaxIssue(document: number, message: string): SpecIssue {
  return { code: 'SYNTAX', severity: 'error', document, path: [], message };
}

function describeParserFailure(error: unknown): string {
  if (error instanceof RangeError) return 'the document nests too deeply to be read';
  const message = error instanceof Error ? error.message : String(error);
  return firstLine(message);
}

function firstLine(message: string): string {
  return message.split('\n')[0]?.trim() ?? message;
}
