import type { FastifyError } from 'fastify';

/** What ajv reports about one failure, with `verbose` on: the failing value and its schema. */
interface SchemaFailure {
  readonly instancePath: string;
  readonly keyword: string;
  readonly params: Record<string, unknown>;
  readonly message?: string;
  readonly data?: unknown;
  readonly schema?: unknown;
  readonly parentSchema?: { properties?: Record<string, unknown> };
  /** Set on the failure of a key against the rule for keys (`propertyNames`), which ajv reports first. */
  readonly propertyName?: string;
}

/**
 * One sentence for a request that does not fit its operation's schema: which field, the value it had,
 * and what was expected, e.g. `body.display_name is 5; expected a string`.
 */
export function describeValidationError(
  error: Pick<FastifyError, 'message' | 'validation'> & { readonly validationContext?: string },
): string {
  const failures = (error.validation ?? []) as readonly SchemaFailure[];
  const where = error.validationContext ?? 'request';
  // A union (enum of names, int64 as string or number) reports each branch, then itself: the union's
  // own failure says it best.
  const failure = failures.find((candidate) => candidate.keyword === 'anyOf') ?? failures[0];
  if (failure === undefined) return `${where} is invalid: ${error.message}`;
  const field = `${where}${failure.instancePath.replaceAll('/', '.')}`;
  if (failure.propertyName !== undefined) {
    return `${field} has the key ${shown(failure.propertyName)}; a key ${failure.message ?? 'does not fit the schema'}`;
  }
  if (failure.params.propertyName !== undefined) {
    // A key that breaks the rule for keys (a tag's): ajv reports the object, with the key aside.
    return `${field} has the key ${shown(failure.params.propertyName)}; a key ${failure.message ?? 'does not fit the schema'}`;
  }
  switch (failure.keyword) {
    case 'additionalProperties': {
      const known = Object.keys(failure.parentSchema?.properties ?? {});
      return (
        `${field} has an unknown field "${String(failure.params.additionalProperty)}"; ` +
        `the known fields: ${known.join(', ') || 'none'}`
      );
    }
    case 'required':
      return `${field} is missing the field "${String(failure.params.missingProperty)}"`;
    case 'anyOf':
      return `${field} is ${shown(failure.data)}; expected ${alternatives(failure.schema)}`;
    case 'format': {
      const format = String(failure.params.format);
      return `${field} is ${shown(failure.data)}; expected ${format === 'uuid' ? 'a UUID' : article(format)}`;
    }
    case 'pattern':
      // The one pattern an API model declares: a reference to another resource's id.
      if (String(failure.params.pattern).includes('[0-9a-fA-F]{8}')) {
        return `${field} is ${shown(failure.data)}; expected a UUID, or empty for none`;
      }
      return `${field} is ${shown(failure.data)}; expected text matching ${String(failure.params.pattern)}`;
    case 'type':
      return `${field} is ${shown(failure.data)}; expected ${article(String(failure.params.type))}`;
    default:
      return `${field} is ${shown(failure.data)}; it ${failure.message ?? 'does not fit the schema'}`;
  }
}

function alternatives(schema: unknown): string {
  const branches = Array.isArray(schema) ? (schema as { const?: unknown; type?: string }[]) : [];
  const names = branches.filter((branch) => branch.const !== undefined).map((branch) => shown(branch.const));
  if (names.length === branches.length && names.length > 0) return `one of ${names.join(', ')}`;
  return branches.map((branch) => article(branch.type ?? 'value')).join(' or ');
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function shown(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) return 'absent';
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
