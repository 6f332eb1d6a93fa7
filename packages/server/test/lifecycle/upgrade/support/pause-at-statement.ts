/**
 * Loaded into a `cairn` child process with `node --import`: the process stops just before it runs a
 * chosen SQLite statement, after printing `paused at: <sql>` on stderr. CAIRN_TEST_PAUSES holds the
 * pauses as JSON, `[{ "sql": <regular expression>, "nth": <which match, 1 by default>, "until": <file> }]`:
 * a pause with `until` ends once that file exists; one without lasts until the process is killed.
 *
 * It is the SQLite stand-in for the table locks the kill tests hold on MySQL and PostgreSQL. SQLite has
 * one write lock for the whole database, so a test holding it stops the upgrade at its very next write,
 * whichever that is; this stops it at one chosen statement, inside whatever transaction it is in, as a
 * lock on one table does elsewhere. The whole thread waits (Atomics.wait), so nothing else of the process
 * runs either, not even its heartbeat: it is as good as hung.
 */
import { existsSync, writeSync } from 'node:fs';
import { StatementSync } from 'node:sqlite';

interface Pause {
  readonly sql: string;
  readonly nth?: number;
  readonly until?: string;
}

const pauses = (JSON.parse(process.env.CAIRN_TEST_PAUSES ?? '[]') as Pause[]).map((pause) => ({
  pattern: new RegExp(pause.sql),
  nth: pause.nth ?? 1,
  until: pause.until,
  seen: 0,
}));
const sleeper = new Int32Array(new SharedArrayBuffer(4));

function pauseBefore(sql: string): void {
  for (const pause of pauses) {
    if (!pause.pattern.test(sql) || ++pause.seen !== pause.nth) continue;
    writeSync(2, `paused at: ${sql}\n`);
    while (pause.until === undefined || !existsSync(pause.until)) Atomics.wait(sleeper, 0, 0, 20);
  }
}

type Run = (this: StatementSync, ...parameters: unknown[]) => unknown;
const methods = ['run', 'all', 'get', 'iterate'] as const;
const prototype = StatementSync.prototype as unknown as Record<(typeof methods)[number], Run>;
for (const method of methods) {
  const original = prototype[method];
  prototype[method] = function (this: StatementSync, ...parameters: unknown[]) {
    pauseBefore(this.sourceSQL);
    return original.apply(this, parameters);
  };
}
