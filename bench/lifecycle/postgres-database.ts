/** An empty database on the PostgreSQL server for one benchmark step, dropped at the end. */
import { randomBytes } from 'node:crypto';
import { onServer, POSTGRES_URL } from '../api/bench-database.ts';

export interface PostgresDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

export async function createPostgresDatabase(): Promise<PostgresDatabase> {
  const name = `cairn_bench_${randomBytes(6).toString('hex')}`;
  await onServer(`create database "${name}"`);
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => onServer(`drop database if exists "${name}" with (force)`) };
}
