import { parse } from '@bufbuild/cel';

export type CelCheck = { ok: true; identifiers: string[] } | { ok: false; message: string };

/**
 * Parses a CEL expression with a real CEL parser and lists the top-level variables it reads, so a caller
 * can check them against what KFP binds (`inputs` for trigger conditions).
 */
export function checkCel(expression: string): CelCheck {
  if (expression.trim() === '') return { ok: false, message: 'the expression is empty' };
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(expression);
  } catch (error) {
    const message = error instanceof Error ? error.message.replace(/^<input>:/, 'at ') : String(error);
    return { ok: false, message };
  }
  const identifiers = new Set<string>();
  collectIdentifiers(parsed.expr, identifiers, 0);
  return { ok: true, identifiers: [...identifiers].sort() };
}

/** The parsed AST is a tree of protobuf messages; an identifier is a node `{ case: 'identExpr', value: { name } }`. */
function collectIdentifiers(node: unknown, into: Set<string>, depth: number): void {
  if (typeof node !== 'object' || node === null || depth > 200) return;
  const record = node as Record<string, unknown>;
  if (record.case === 'identExpr') {
    const name = (record.value as { name?: unknown } | undefined)?.name;
    if (typeof name === 'string') into.add(name);
    return;
  }
  // A comprehension's loop variables are bound by the expression itself, not read from outside.
  if (record.case === 'comprehensionExpr') {
    const value = record.value as { iterRange?: unknown } | undefined;
    collectIdentifiers(value?.iterRange, into, depth + 1);
    return;
  }
  for (const child of Object.values(record)) {
    if (Array.isArray(child)) for (const item of child) collectIdentifiers(item, into, depth + 1);
    else collectIdentifiers(child, into, depth + 1);
  }
}

/** The input parameter names a KFP trigger condition reads: `inputs.parameter_values['name']`. */
export function conditionParameterNames(expression: string): string[] {
  const names = new Set<string>();
  for (const match of expression.matchAll(/inputs\.parameter_values\[\s*(?:'([^']*)'|"([^"]*)")\s*\]/g)) {
    names.add(match[1] ?? match[2] ?? '');
  }
  return [...names];
}
