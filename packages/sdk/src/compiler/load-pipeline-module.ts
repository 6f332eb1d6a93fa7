import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Compilable } from './compile.ts';

/**
 * A pipeline found in a module, and the export it was found under.
 *
 * @example
 * const { exportName, target }: ModulePipeline = await loadPipelineModule('pipeline.ts');
 */
export interface ModulePipeline {
  readonly exportName: string;
  readonly target: Compilable;
}

/**
 * Whether a value is something `compile` takes: a pipeline or a component.
 *
 * @example
 * const targets = Object.values(await import('./pipelines.ts')).filter(isCompilable);
 */
export function isCompilable(value: unknown): value is Compilable {
  const definition = (value as { definition?: { implementation?: { kind?: unknown } } } | null)?.definition;
  return typeof definition?.implementation?.kind === 'string';
}

function isPipeline(value: unknown): value is Compilable {
  return isCompilable(value) && value.definition.implementation.kind === 'graph';
}

/**
 * Imports a TypeScript (or JavaScript) module and picks the pipeline to compile: the export named by
 * `exportName`, else the default export, else the module's only exported pipeline. Throws an Error that
 * lists the candidates when the choice is ambiguous or empty.
 *
 * @example
 * const { target } = await loadPipelineModule('examples/train-evaluate-deploy.ts');
 * writeFileSync('pipeline.yaml', compile(target));
 */
export async function loadPipelineModule(file: string, exportName?: string): Promise<ModulePipeline> {
  const module = (await import(pathToFileURL(path.resolve(file)).href)) as Record<string, unknown>;
  const exported = Object.entries(module).filter(([, value]) => isCompilable(value));
  if (exportName !== undefined) {
    const chosen = module[exportName];
    if (isCompilable(chosen)) return { exportName, target: chosen };
    const names = exported.map(([name]) => name).join(', ') || 'none';
    throw new Error(`${file} has no pipeline or component exported as "${exportName}"; it exports: ${names}`);
  }
  if (isCompilable(module.default)) return { exportName: 'default', target: module.default };
  const pipelines = exported.filter(([, value]) => isPipeline(value));
  const [only] = pipelines;
  if (pipelines.length === 1 && only !== undefined)
    return { exportName: only[0], target: only[1] as Compilable };
  if (pipelines.length === 0) {
    throw new Error(
      `${file} exports no pipeline: export one, e.g. "export default pipeline({ name: ... }, ...)"`,
    );
  }
  throw new Error(
    `${file} exports ${pipelines.length} pipelines (${pipelines.map(([name]) => name).join(', ')}); choose one with --pipeline NAME`,
  );
}
