import assert from 'node:assert/strict';
import { hasErrors, loadPipelineText, type PipelineSpec } from '@cairn/spec';
import { type Compilable, type CompileOptions, compile } from '../../../src/compiler/compile.ts';

/**
 * Compiles to text and reads the text back with Cairn's own loader, which must find no error: what the
 * tests inspect is what a user's file holds.
 *
 * @example
 * const spec = compiledSpec(myPipeline);
 */
export function compiledSpec(target: Compilable, options: CompileOptions = {}): PipelineSpec {
  const { pipeline, issues } = loadPipelineText(compile(target, options));
  assert.ok(!hasErrors(issues), JSON.stringify(issues, null, 2));
  assert.ok(pipeline !== undefined);
  return pipeline.spec;
}
