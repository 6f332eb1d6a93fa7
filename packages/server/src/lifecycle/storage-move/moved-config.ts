/**
 * The configuration of a moved deployment, as the `cairn.yaml` keys the config loader reads (see
 * `config/resolve-config.ts`): `db`, `artifacts` and `s3`. Paths are absolute, so the file works wherever
 * it is put. The data directory (`home`) is left out: it is where the embedded default kept its stores,
 * which the moved deployment no longer uses.
 */
import { stringify as toYaml } from 'yaml';
import type { S3Credentials } from '../../artifacts/s3-artifact-store.ts';
import { redactDatabaseUrl } from '../../store/database-url.ts';

export interface MovedConfig {
  /** The target database's URL as given, password included. */
  readonly db: string;
  /** The target artifact store's URL. */
  readonly artifacts: string;
  /** The S3 credentials the target store was opened with, when they came from the config file. */
  readonly s3?: S3Credentials | undefined;
}

/**
 * The file's text. With `redact`, the database password and S3 secrets are shown as `***`: for printing,
 * while the file itself must hold them.
 */
export function movedConfigYaml(config: MovedConfig, redact: boolean): string {
  const hidden = (secret: string) => (redact ? '***' : secret);
  const s3 = config.s3;
  const document = {
    db: redact ? redactDatabaseUrl(config.db) : config.db,
    artifacts: config.artifacts,
    ...(s3 === undefined
      ? {}
      : {
          s3: {
            access_key_id: s3.accessKeyId,
            secret_access_key: hidden(s3.secretAccessKey),
            ...(s3.sessionToken === undefined ? {} : { session_token: hidden(s3.sessionToken) }),
          },
        }),
  };
  return toYaml(document, { lineWidth: 0 });
}
