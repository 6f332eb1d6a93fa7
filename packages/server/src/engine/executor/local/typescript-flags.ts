/**
 * Node's flags that let it run TypeScript, as this process was given them (Node 22 needs them): the
 * helper processes the executor starts run from the same sources.
 */
export function typeScriptFlags(): string[] {
  return process.execArgv.filter((flag) => /^--(experimental-)?(strip|transform)-types$/.test(flag));
}
