import { readFileSync } from 'node:fs';
import { stripTypeScriptTypes } from 'node:module';

// Order matters: executor-runtime.ts refers to the artifact classes through artifactClassFor.
const RUNTIME_MODULES = ['artifacts.ts', 'executor-runtime.ts'];

let runtimeSource: string | undefined;

/**
 * The executor runtime as plain JavaScript: artifacts.ts and executor-runtime.ts with their types
 * stripped, one after the other, to share the single module scope of a function component's program.
 * Type-only imports vanish in stripping, so what remains imports only `node:` built-ins.
 *
 * @example
 * const program = `${embeddedRuntimeSource()}\nawait executeFunctionComponent({ ... });\n`;
 */
export function embeddedRuntimeSource(): string {
  runtimeSource ??= withoutStripWarning(() =>
    RUNTIME_MODULES.map((file) =>
      stripTypeScriptTypes(readFileSync(new URL(`./${file}`, import.meta.url), 'utf8')),
    ).join('\n'),
  );
  return runtimeSource;
}

// Node 24 flags stripTypeScriptTypes as experimental on first use; the warning would reach every user who
// compiles a pipeline, about a detail of the SDK. Other warnings pass through.
function withoutStripWarning<T>(run: () => T): T {
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: never[]) => {
    if (!String(warning).includes('stripTypeScriptTypes')) emitWarning.call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return run();
  } finally {
    process.emitWarning = emitWarning;
  }
}
