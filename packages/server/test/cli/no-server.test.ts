// With no server at the URL, every API command says which URL it tried and how to start a server.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cli, closedPort } from './support/cli-harness.ts';

test('no server: the URL tried, how to start one, exit 1', async () => {
  const url = `http://127.0.0.1:${await closedPort()}`;
  for (const argv of [
    ['experiment', 'list'],
    ['pipeline', 'upload', 'fixtures/kfp/ir/hello_world.yaml'],
    ['run', 'list'],
    ['recurring', 'list'],
    ['artifact', 'ls', 'r1'],
  ]) {
    const result = await cli([...argv, '--server', url]);
    assert.equal(result.code, 1, argv.join(' '));
    assert.equal(result.out, '');
    assert.equal(
      result.err,
      `cairn: error: cannot reach the Cairn server at ${url} (ECONNREFUSED)\n` +
        'Start one with `cairn up` (or `npm start` in a Cairn checkout), or point --server or CAIRN_SERVER at a running one.\n',
    );
  }
});

test('the server comes from --server, else CAIRN_SERVER, else the default of `cairn up`', async () => {
  const help = await cli(['run', 'list', '--help']);
  assert.match(
    help.out,
    /--server <url>\s+the Cairn server to talk to \(default:\s+"http:\/\/127\.0\.0\.1:8888", env: CAIRN_SERVER\)/,
  );

  const fromEnv = `http://127.0.0.1:${await closedPort()}`;
  const previous = process.env.CAIRN_SERVER;
  process.env.CAIRN_SERVER = fromEnv;
  try {
    assert.match((await cli(['experiment', 'list'])).err, new RegExp(`at ${fromEnv} `));
    const flag = `http://127.0.0.1:${await closedPort()}`;
    // The option goes before or after the subcommand alike.
    assert.match((await cli(['experiment', '--server', flag, 'list'])).err, new RegExp(`at ${flag} `));
  } finally {
    if (previous === undefined) delete process.env.CAIRN_SERVER;
    else process.env.CAIRN_SERVER = previous;
  }
});

test('a --server that is not an http URL is a usage error', async () => {
  const result = await cli(['run', 'list', '--server', 'localhost:8888']);
  assert.deepEqual(result, {
    code: 2,
    out: '',
    err: 'cairn: error: --server (or CAIRN_SERVER): "localhost:8888" is not an http:// or https:// URL, e.g. http://127.0.0.1:8888\n',
  });
});

test('every API command has a description and examples in its --help', async () => {
  const commands = {
    experiment: ['create', 'list', 'get', 'archive', 'unarchive', 'delete'],
    pipeline: ['upload', 'list', 'get', 'delete'],
    run: ['submit', 'list', 'get', 'watch', 'logs', 'terminate', 'retry', 'archive', 'unarchive', 'delete'],
    recurring: ['create', 'list', 'get', 'enable', 'disable', 'delete'],
    artifact: ['ls', 'info', 'get'],
  };
  for (const [group, names] of Object.entries(commands)) {
    for (const name of names) {
      const help = await cli([group, name, '--help']);
      assert.equal(help.code, 0);
      assert.match(help.out, /\n\n\S.+\n/, `${group} ${name} has a description`);
      assert.match(
        help.out,
        new RegExp(`Examples:\\n  \\$ cairn ${group} ${name}`),
        `${group} ${name} has examples`,
      );
    }
  }
});

test('-o takes only table, json or yaml', async () => {
  const result = await cli(['experiment', 'list', '-o', 'xml']);
  assert.equal(result.code, 2);
  assert.match(result.err, /argument 'xml' is invalid\. Allowed choices are table, json, yaml/);
});
