import {
  type CelInput,
  type CelResult,
  CelScalar,
  type CelType,
  celEnv,
  celError,
  parse,
  plan,
} from '@bufbuild/cel';
import { checkCel } from '@cairn/spec';
import { CairnError } from '../../errors.ts';
import { parseJsonFunction } from './parse-json-function.ts';

/** The two places KFP evaluates CEL, each with its own variables (its CEL environment). */
export type ExpressionKind = 'trigger condition' | 'parameter selector';

export interface CompiledExpression {
  readonly kind: ExpressionKind;
  readonly text: string;
  /** The variables the expression reads, sorted. */
  readonly variables: readonly string[];
  /** Never throws: failures come back as a CelError, like CEL's own errors. */
  evaluate(bindings: Readonly<Record<string, CelInput>>): CelResult;
}

/**
 * What KFP's backend declares (backend/src/v2/expression): a condition sees the fields of the task's
 * ExecutorInput, of which a condition reads `inputs`; a selector sees the fields of a protobuf Value.
 */
const VARIABLES: Record<ExpressionKind, readonly string[]> = {
  'trigger condition': ['inputs'],
  'parameter selector': [
    'bool_value',
    'list_value',
    'null_value',
    'number_value',
    'string_value',
    'struct_value',
  ],
};

const USAGE: Record<ExpressionKind, string> = {
  'trigger condition': `a trigger condition reads only "inputs", as inputs.parameter_values['name']`,
  'parameter selector': `a parameter selector reads only the fields of a protobuf Value: ${VARIABLES['parameter selector'].join(', ')}`,
};

const ENVIRONMENTS = {
  'trigger condition': environment('trigger condition'),
  'parameter selector': environment('parameter selector'),
};

function environment(kind: ExpressionKind) {
  const variables: Record<string, CelType> = {};
  for (const name of VARIABLES[kind]) variables[name] = CelScalar.DYN;
  return celEnv({ variables, funcs: [parseJsonFunction] });
}

/** Enough for every expression of many pipelines; the oldest unused ones are dropped first. */
const CACHE_LIMIT = 1000;
const cache = new Map<string, CompiledExpression>();

/**
 * Parses and plans an expression once; later calls with the same text return the same program, since
 * the engine evaluates one condition or selector for every iteration of a loop.
 * Throws a CairnError (EXPRESSION_INVALID) when the text is not CEL or reads a variable KFP does not bind.
 */
export function compileExpression(kind: ExpressionKind, text: string): CompiledExpression {
  const key = `${kind}\u0000${text}`;
  const cached = cache.get(key);
  if (cached !== undefined) {
    cache.delete(key);
    cache.set(key, cached);
    return cached;
  }
  const compiled = compile(kind, text);
  cache.set(key, compiled);
  for (const oldest of cache.keys()) {
    if (cache.size <= CACHE_LIMIT) break;
    cache.delete(oldest);
  }
  return compiled;
}

function compile(kind: ExpressionKind, text: string): CompiledExpression {
  const checked = checkCel(text);
  if (!checked.ok) {
    throw new CairnError(
      'EXPRESSION_INVALID',
      `${capitalize(kind)} ${JSON.stringify(text)} is not valid CEL: ${checked.message}`,
    );
  }
  const unknown = checked.identifiers.filter((name) => !VARIABLES[kind].includes(name));
  if (unknown.length > 0) {
    const names = unknown.map((name) => `"${name}"`).join(', ');
    throw new CairnError(
      'EXPRESSION_INVALID',
      `${capitalize(kind)} ${JSON.stringify(text)} reads ${names}, which KFP does not bind: ${USAGE[kind]}`,
    );
  }
  const program = plan(ENVIRONMENTS[kind], parse(text));
  return {
    kind,
    text,
    variables: checked.identifiers,
    evaluate(bindings) {
      try {
        return program(bindings);
      } catch (error) {
        return celError(error);
      }
    },
  };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
