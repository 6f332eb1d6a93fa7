import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { runCli } from '../../src/cli/main.ts';

const ROOT = path.resolve(import.meta.dirname, '../../../..');
const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');

/** The first fenced block of `language` after `heading`. */
function block(heading: string, language: string): string {
  const section = README.slice(README.indexOf(heading));
  const match = new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``).exec(section);
  assert.ok(match?.[1], `README has no ${language} block after ${heading}`);
  return match[1];
}

// The README's "write your first pipeline" must work as written: its module, compiled and validated by
// its own commands. The file gets a unique name so a user's own hello-pipeline.ts is never touched.
const name = `.readme-${randomUUID()}`;
const written: string[] = [];
after(() => {
  for (const file of written) rmSync(file, { force: true });
});

test('the README\'s "write your first pipeline" works as written', async () => {
  const source = path.join(ROOT, `${name}.ts`);
  writeFileSync(source, block('## Write your first pipeline', 'ts'));
  written.push(source, path.join(ROOT, `${name}.yaml`));
  const commands = block('## Write your first pipeline', 'sh').trim().split('\n');
  assert.equal(commands.length, 2);
  const outputs: string[] = [];
  for (const command of commands) {
    const prefix = 'npm run cairn -- ';
    assert.ok(command.startsWith(prefix), command);
    const argv = command
      .slice(prefix.length)
      .split(' ')
      .map((word) => word.replaceAll('hello-pipeline', name))
      .map((word) => (word.startsWith(name) ? path.join(ROOT, word) : word));
    const code = await runCli(argv, { out: (line) => outputs.push(line), err: (line) => outputs.push(line) });
    assert.equal(code, 0, `${command}:\n${outputs.join('\n')}`);
  }
  assert.match(outputs.join('\n'), /: ok \(pipeline "hello-pipeline": 2 tasks\)/);
});
