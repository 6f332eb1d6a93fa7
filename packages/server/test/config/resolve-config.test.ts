import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { resolveConfig } from '../../src/config/resolve-config.ts';
import { CairnError } from '../../src/errors.ts';

const cwd = mkdtempSync(path.join(os.tmpdir(), 'cairn-config-'));

function withFile(text: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cairn-config-file-'));
  const file = path.join(dir, 'cairn.yaml');
  writeFileSync(file, text);
  return file;
}

function fails(run: () => unknown, ...fragments: string[]) {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof CairnError);
    assert.equal(error.code, 'CONFIG_INVALID');
    for (const fragment of fragments)
      assert.ok(error.message.includes(fragment), `"${error.message}" lacks "${fragment}"`);
    return true;
  });
}

describe('resolveConfig', () => {
  test('defaults are the embedded store under ./.cairn', () => {
    const config = resolveConfig({}, {}, cwd);
    assert.equal(config.home.value, path.join(cwd, '.cairn'));
    assert.deepEqual(config.db.value, {
      dialect: 'sqlite',
      path: path.join(cwd, '.cairn', 'metadata.sqlite'),
    });
    assert.deepEqual(config.artifacts.value, { kind: 'file', root: path.join(cwd, '.cairn', 'artifacts') });
    assert.deepEqual(
      [config.home.source, config.db.source, config.artifacts.source],
      ['default', 'default', 'default'],
    );
    assert.equal(config.configFile, undefined);
  });

  test('CAIRN_HOME moves both default stores', () => {
    const config = resolveConfig({}, { CAIRN_HOME: '/srv/cairn' }, cwd);
    assert.equal(config.home.source, 'env CAIRN_HOME');
    assert.deepEqual(config.db.value, { dialect: 'sqlite', path: '/srv/cairn/metadata.sqlite' });
    assert.deepEqual(config.artifacts.value, { kind: 'file', root: '/srv/cairn/artifacts' });
  });

  test('flags beat environment variables, which beat the config file', () => {
    const file = withFile('db: mysql://file@db:3306/cairn\nartifacts: /from/file\nhome: /home/from-file\n');
    const env = { CAIRN_CONFIG: file, CAIRN_DB: 'postgres://env@pg:5432/cairn' };
    const config = resolveConfig({ artifacts: 's3://bucket/prefix?region=eu-west-1' }, env, cwd);
    assert.equal(config.configFile, file);
    assert.equal(config.home.source, `config file ${file}`);
    assert.equal(config.home.value, '/home/from-file');
    assert.equal(config.db.source, 'env CAIRN_DB');
    assert.equal(config.db.value.dialect, 'postgres');
    assert.equal(config.artifacts.source, 'flag --artifacts');
    assert.equal(config.artifacts.value.kind, 's3');
    const flagged = resolveConfig({ db: 'sqlite:///tmp/x.sqlite' }, env, cwd);
    assert.equal(flagged.db.source, 'flag --db');
  });

  test('relative paths in the config file are relative to the file', () => {
    const file = withFile('home: data\nartifacts: blobs\ndb: sqlite:meta/cairn.sqlite\n');
    const config = resolveConfig({ config: file }, {}, cwd);
    const dir = path.dirname(file);
    assert.equal(config.home.value, path.join(dir, 'data'));
    assert.deepEqual(config.artifacts.value, { kind: 'file', root: path.join(dir, 'blobs') });
    assert.deepEqual(config.db.value, { dialect: 'sqlite', path: path.join(dir, 'meta/cairn.sqlite') });
  });

  test('./cairn.yaml is read when present', () => {
    const file = withFile('db: postgres://u:p@h:5433/d\n');
    const config = resolveConfig({}, {}, path.dirname(file));
    assert.equal(config.configFile, file);
    assert.deepEqual(config.db.value, {
      dialect: 'postgres',
      url: 'postgres://u:p@h:5433/d',
      host: 'h',
      port: 5433,
      database: 'd',
    });
  });

  test('S3 credentials come from the config file, both keys or none', () => {
    const file = withFile('s3:\n  access_key_id: AKIA\n  secret_access_key: secret\n');
    assert.deepEqual(resolveConfig({ config: file }, {}, cwd).s3Credentials, {
      accessKeyId: 'AKIA',
      secretAccessKey: 'secret',
    });
    fails(
      () => resolveConfig({ config: withFile('s3:\n  access_key_id: AKIA\n') }, {}, cwd),
      'secret_access_key',
      'give both',
    );
    fails(
      () => resolveConfig({ config: withFile('s3:\n  region: x\n') }, {}, cwd),
      'unknown key "region"',
      'access_key_id',
    );
  });

  const bad: [string, () => unknown, string[]][] = [
    [
      'an unsupported database scheme, with its source',
      () => resolveConfig({}, { CAIRN_DB: 'oracle://x/y' }, cwd),
      ['setting db (from env CAIRN_DB)', '"oracle:"', 'accepted:', 'postgres://'],
    ],
    [
      'a database URL without a database',
      () => resolveConfig({ db: 'mysql://root@localhost' }, {}, cwd),
      ['setting db (from flag --db)', 'exactly one database'],
    ],
    [
      'a password is never echoed',
      () => resolveConfig({ db: 'mysql://root:hunter2@localhost' }, {}, cwd),
      ['root:***@localhost'],
    ],
    [
      'an unsupported artifact scheme',
      () => resolveConfig({ artifacts: 'gs://bucket' }, {}, cwd),
      ['setting artifacts (from flag --artifacts)', '"gs:"', 's3://bucket'],
    ],
    [
      'an empty flag',
      () => resolveConfig({ home: '' }, {}, cwd),
      ['setting home (from flag --home)', 'must not be empty'],
    ],
    [
      'an unknown key in the file',
      () => resolveConfig({ config: withFile('database: x\n') }, {}, cwd),
      ['unknown setting "database"', 'home, db, artifacts, s3'],
    ],
    [
      'a non-string value in the file',
      () => resolveConfig({ config: withFile('db: 42\n') }, {}, cwd),
      ['setting db', 'expected a non-empty string, got 42'],
    ],
    [
      'a file that is not a mapping',
      () => resolveConfig({ config: withFile('- a\n- b\n') }, {}, cwd),
      ['expected a mapping of settings'],
    ],
    [
      'invalid YAML',
      () => resolveConfig({ config: withFile('db: [unclosed\n') }, {}, cwd),
      ['not valid YAML'],
    ],
    [
      'a missing config file named explicitly',
      () => resolveConfig({}, { CAIRN_CONFIG: '/nonexistent/cairn.yaml' }, cwd),
      ['setting config (from env CAIRN_CONFIG)', 'cannot read /nonexistent/cairn.yaml'],
    ],
  ];
  for (const [name, run, fragments] of bad) {
    test(`rejects ${name}`, () => fails(run, ...fragments));
  }
});
