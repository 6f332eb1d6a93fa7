import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { type ArtifactLocation, parseArtifactStoreUrl } from '../artifacts/artifact-store-url.ts';
import type { S3Credentials } from '../artifacts/s3-artifact-store.ts';
import { CairnError, errorMessage } from '../errors.ts';
import { type DatabaseLocation, parseDatabaseUrl } from '../store/database-url.ts';

/** Where a setting's value came from, as a user would name it. */
export type SettingSource = `flag --${string}` | `env ${string}` | `config file ${string}` | 'default';

export interface Setting<T> {
  value: T;
  /** The text the user gave (URLs with their password), or the default's text. */
  raw: string;
  source: SettingSource;
}

export interface CairnConfig {
  home: Setting<string>;
  db: Setting<DatabaseLocation>;
  artifacts: Setting<ArtifactLocation>;
  /** From the config file; without it the AWS SDK's usual chain (AWS_ACCESS_KEY_ID, profiles, ...) applies. */
  s3Credentials: S3Credentials | undefined;
  configFile: string | undefined;
}

export interface ConfigFlags {
  home?: string | undefined;
  db?: string | undefined;
  artifacts?: string | undefined;
  config?: string | undefined;
}

const FILE_KEYS = ['home', 'db', 'artifacts', 's3'] as const;
const S3_KEYS = ['access_key_id', 'secret_access_key', 'session_token'] as const;

interface Candidate {
  raw: string;
  source: SettingSource;
  /** Relative paths in a config file are relative to the file, elsewhere to the working directory. */
  baseDir: string;
}

function invalidSetting(name: string, candidate: Candidate, problem: string): CairnError {
  return new CairnError('CONFIG_INVALID', `setting ${name} (from ${candidate.source}): ${problem}`);
}

interface ConfigFile {
  path: string;
  values: Partial<Record<(typeof FILE_KEYS)[number], unknown>>;
}

function readConfigFile(flags: ConfigFlags, env: NodeJS.ProcessEnv, cwd: string): ConfigFile | undefined {
  const explicit: Candidate | undefined = flags.config
    ? { raw: flags.config, source: 'flag --config', baseDir: cwd }
    : env.CAIRN_CONFIG
      ? { raw: env.CAIRN_CONFIG, source: 'env CAIRN_CONFIG', baseDir: cwd }
      : undefined;
  const file = path.resolve(cwd, explicit?.raw ?? 'cairn.yaml');
  if (!explicit && !existsSync(file)) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw invalidSetting('config', explicit as Candidate, `cannot read ${file}: ${errorMessage(error)}`);
  }
  const where = `config file ${file}` as const;
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    throw new CairnError('CONFIG_INVALID', `${where}: not valid YAML: ${errorMessage(error)}`);
  }
  if (parsed === null || parsed === undefined) return { path: file, values: {} };
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new CairnError(
      'CONFIG_INVALID',
      `${where}: expected a mapping of settings (${FILE_KEYS.join(', ')})`,
    );
  }
  for (const key of Object.keys(parsed)) {
    if (!(FILE_KEYS as readonly string[]).includes(key)) {
      throw new CairnError(
        'CONFIG_INVALID',
        `${where}: unknown setting "${key}"; known settings: ${FILE_KEYS.join(', ')}`,
      );
    }
  }
  return { path: file, values: parsed as ConfigFile['values'] };
}

function fromFile(file: ConfigFile | undefined, key: 'home' | 'db' | 'artifacts'): Candidate | undefined {
  const value = file?.values[key];
  if (value === undefined || value === null || !file) return undefined;
  const source: SettingSource = `config file ${file.path}`;
  if (typeof value !== 'string' || value === '') {
    throw new CairnError(
      'CONFIG_INVALID',
      `setting ${key} (from ${source}): expected a non-empty string, got ${JSON.stringify(value)}`,
    );
  }
  return { raw: value, source, baseDir: path.dirname(file.path) };
}

/** The first of flag, environment variable and config file that gives a value. */
function pick(
  name: 'home' | 'db' | 'artifacts',
  flags: ConfigFlags,
  env: NodeJS.ProcessEnv,
  file: ConfigFile | undefined,
  cwd: string,
): Candidate | undefined {
  const envName = `CAIRN_${name.toUpperCase()}`;
  const flag = flags[name];
  if (flag !== undefined) {
    if (flag === '')
      throw new CairnError('CONFIG_INVALID', `setting ${name} (from flag --${name}): must not be empty`);
    return { raw: flag, source: `flag --${name}`, baseDir: cwd };
  }
  const fromEnv = env[envName];
  if (fromEnv) return { raw: fromEnv, source: `env ${envName}`, baseDir: cwd };
  return fromFile(file, name);
}

function s3Credentials(file: ConfigFile | undefined): S3Credentials | undefined {
  const value = file?.values.s3;
  if (value === undefined || value === null || !file) return undefined;
  const where = `setting s3 (from config file ${file.path})`;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new CairnError('CONFIG_INVALID', `${where}: expected a mapping with ${S3_KEYS.join(', ')}`);
  }
  const entries = value as Record<string, unknown>;
  for (const [key, item] of Object.entries(entries)) {
    if (!(S3_KEYS as readonly string[]).includes(key)) {
      throw new CairnError(
        'CONFIG_INVALID',
        `${where}: unknown key "${key}"; known keys: ${S3_KEYS.join(', ')}`,
      );
    }
    if (typeof item !== 'string' || item === '') {
      throw new CairnError('CONFIG_INVALID', `${where}: ${key} must be a non-empty string`);
    }
  }
  const { access_key_id, secret_access_key, session_token } = entries as Record<string, string | undefined>;
  if (!access_key_id || !secret_access_key) {
    throw new CairnError(
      'CONFIG_INVALID',
      `${where}: access_key_id and secret_access_key go together; give both`,
    );
  }
  return {
    accessKeyId: access_key_id,
    secretAccessKey: secret_access_key,
    ...(session_token ? { sessionToken: session_token } : {}),
  };
}

/**
 * Resolves Cairn's settings, highest first: command-line flags, `CAIRN_*` environment variables, the
 * config file (`--config`, `CAIRN_CONFIG`, or `./cairn.yaml` when present), then the embedded defaults:
 * a data directory (`./.cairn`) holding `metadata.sqlite` and `artifacts/`.
 *
 * @example
 * const config = resolveConfig({ db: 'postgres://cairn@db:5432/cairn' });
 * config.db.source; // 'flag --db'
 */
export function resolveConfig(
  flags: ConfigFlags = {},
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): CairnConfig {
  const file = readConfigFile(flags, env, cwd);

  const homeCandidate = pick('home', flags, env, file, cwd);
  const home: Setting<string> = homeCandidate
    ? {
        value: path.resolve(homeCandidate.baseDir, homeCandidate.raw),
        raw: homeCandidate.raw,
        source: homeCandidate.source,
      }
    : { value: path.resolve(cwd, '.cairn'), raw: '.cairn', source: 'default' };

  const dbCandidate = pick('db', flags, env, file, cwd) ?? {
    raw: `sqlite://${pathToFileURL(path.join(home.value, 'metadata.sqlite')).pathname}`,
    source: 'default',
    baseDir: cwd,
  };
  let db: DatabaseLocation;
  try {
    db = parseDatabaseUrl(dbCandidate.raw, dbCandidate.baseDir);
  } catch (error) {
    throw invalidSetting('db', dbCandidate, errorMessage(error));
  }

  const artifactsCandidate = pick('artifacts', flags, env, file, cwd) ?? {
    raw: pathToFileURL(path.join(home.value, 'artifacts')).href,
    source: 'default',
    baseDir: cwd,
  };
  let artifacts: ArtifactLocation;
  try {
    const { raw, baseDir } = artifactsCandidate;
    // A plain relative directory is relative to where it was written (the config file's folder).
    artifacts = parseArtifactStoreUrl(/^[a-z][a-z0-9+.-]*:/i.test(raw) ? raw : path.resolve(baseDir, raw));
  } catch (error) {
    throw invalidSetting('artifacts', artifactsCandidate, errorMessage(error));
  }

  return {
    home,
    db: { value: db, raw: dbCandidate.raw, source: dbCandidate.source },
    artifacts: { value: artifacts, raw: artifactsCandidate.raw, source: artifactsCandidate.source },
    s3Credentials: s3Credentials(file),
    configFile: file?.path,
  };
}
