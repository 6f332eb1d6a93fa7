#!/usr/bin/env node
// Plain JavaScript, so that an older Node can at least say what it needs.
// Cairn runs its TypeScript sources directly, which needs Node's type stripping (22.18+, or 22.13+
// with --experimental-strip-types).
if (!process.features.typescript) {
  process.stderr.write(
    `cairn: error: Node ${process.versions.node} cannot run Cairn; it needs Node >= 22.13 with type stripping ` +
      '(24 LTS recommended). In the Cairn checkout, `npm run cairn -- ARGS` uses the Node 24 that npm installed.\n',
  );
  process.exit(2);
}
// `cairn ... | head` closes the pipe early; that is not an error worth a stack trace.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});
// Every start strips the types of a few hundred modules and compiles them; Node caches both on disk
// (in the OS temp folder, or NODE_COMPILE_CACHE), which takes about half the start-up time away.
const { enableCompileCache } = await import('node:module');
enableCompileCache?.();
const { runCli } = await import('../src/cli/main.ts');
process.exitCode = await runCli(process.argv.slice(2));
