import type { Command } from 'commander';
import type { ArtifactStore } from '../../artifacts/artifact-store.ts';
import { openArtifactStore } from '../../artifacts/artifact-store-url.ts';
import type { CairnConfig } from '../../config/resolve-config.ts';
import { CairnError, errorMessage } from '../../errors.ts';
import { describeUse, storedUses } from '../../lifecycle/releases/compatibility.ts';
import { connectDatabase } from '../../store/connect-database.ts';
import { describeDatabase } from '../../store/database-url.ts';
import { LATEST_SCHEMA_VERSION } from '../../store/migrations/index.ts';
import { Migrator } from '../../store/migrator/migrator.ts';
import { incompatibility, type SchemaStatus } from '../../store/migrator/schema-status.ts';
import { CAIRN_VERSION } from '../../version.ts';
import { configFrom } from '../command-config.ts';
import type { CliContext, Output } from '../output.ts';

interface StatusReport {
  cairn_version: string;
  database: {
    location: string;
    source: string;
    dialect: string;
    reachable: boolean;
    capabilities?: Record<string, unknown>;
    schema_version?: number;
    code_schema_version: number;
    applied?: { name: string; cairn_version: string; finished_at: string | null }[];
    pending?: string[];
    interrupted?: string[];
  };
  artifacts: { location: string; source: string; reachable: boolean };
  /** What the stored pipelines use, against the release manifest's compatibility matrix. */
  compatibility?: { use: string; count: number; accepted_by: readonly string[]; this_release: boolean }[];
  /** Each problem that makes the exit status non-zero. */
  problems: string[];
  /** What the operator should do next, if anything. */
  advice: string[];
}

async function schemaReport(config: CairnConfig, report: StatusReport): Promise<void> {
  let handle: Awaited<ReturnType<typeof connectDatabase>>;
  try {
    handle = await connectDatabase(config.db.value);
  } catch (error) {
    report.problems.push(errorMessage(error));
    return;
  }
  try {
    const status: SchemaStatus = await new Migrator({ db: handle.db, dialect: handle.dialect }).status();
    Object.assign(report.database, {
      reachable: true,
      capabilities: handle.dialect.capabilities,
      schema_version: status.databaseSchemaVersion,
      applied: status.applied.map((row) => ({
        name: row.name,
        cairn_version: row.cairn_version,
        finished_at: row.finished_at === null ? null : new Date(row.finished_at).toISOString(),
      })),
      pending: status.pending.map((migration) => migration.name),
      interrupted: status.interrupted.map((row) => `${row.name} (${row.state})`),
    });
    const blocking = incompatibility(status);
    if (!blocking) await compatibilityReport(handle, report);
    if (blocking) report.problems.push(blocking.message);
    else if (status.interrupted.length > 0 || status.pending.length > 0) {
      report.advice.push("run 'cairn admin upgrade' to bring the schema up to date");
    }
  } catch (error) {
    report.problems.push(`cannot read the schema history: ${errorMessage(error)}`);
  } finally {
    await handle.close();
  }
}

/** Stored pipelines this release cannot run are a problem: they fail when they next run. */
async function compatibilityReport(
  handle: Awaited<ReturnType<typeof connectDatabase>>,
  report: StatusReport,
): Promise<void> {
  const uses = await storedUses(handle.db, handle.dialect);
  report.compatibility = uses.map((use) => ({
    use: use.kind === 'schemaVersion' ? `schemaVersion ${use.value}` : `SDK ${use.value}`,
    count: use.count,
    accepted_by: use.acceptedBy,
    this_release: use.acceptedBy.includes(CAIRN_VERSION),
  }));
  for (const use of uses.filter((candidate) => !candidate.acceptedBy.includes(CAIRN_VERSION))) {
    report.problems.push(`Cairn ${CAIRN_VERSION} cannot run stored pipelines: ${describeUse(use)}`);
  }
}

async function probeArtifactStore(store: ArtifactStore, report: StatusReport): Promise<void> {
  try {
    // Listing proves the store answers, the credentials work and (on S3) the bucket exists;
    // a HEAD of a missing key could not tell a missing bucket apart.
    for await (const _ of store.list('cairn-status-probe/')) break;
    report.artifacts.reachable = true;
  } catch (error) {
    report.problems.push(`cannot reach the artifact store (${store.url}): ${errorMessage(error)}`);
  }
}

export async function collectStatus(config: CairnConfig): Promise<StatusReport> {
  const store = openArtifactStore(config.artifacts.value, config.s3Credentials);
  try {
    const report: StatusReport = {
      cairn_version: CAIRN_VERSION,
      database: {
        location: describeDatabase(config.db.value),
        source: config.db.source,
        dialect: config.db.value.dialect,
        reachable: false,
        code_schema_version: LATEST_SCHEMA_VERSION,
      },
      artifacts: { location: store.url, source: config.artifacts.source, reachable: false },
      problems: [],
      advice: [],
    };
    await schemaReport(config, report);
    await probeArtifactStore(store, report);
    return report;
  } finally {
    await store.close();
  }
}

function printText(report: StatusReport, output: Output): void {
  const { database: db, artifacts } = report;
  const yesNo = (value: unknown) => (value ? 'yes' : 'no');
  output.out(`Cairn ${report.cairn_version}`);
  output.out(`metadata store   ${db.location}  (db from ${db.source})`);
  if (db.reachable && db.schema_version !== undefined) {
    const pending = db.pending ?? [];
    const state =
      db.schema_version > db.code_schema_version
        ? 'NEWER than this code'
        : pending.length > 0 || (db.interrupted ?? []).length > 0
          ? 'not up to date'
          : 'up to date';
    output.out(
      `  schema         version ${db.schema_version}; this code's is ${db.code_schema_version}: ${state}`,
    );
    output.out(`  applied        ${(db.applied ?? []).length} migration(s)`);
    output.out(`  pending        ${pending.length === 0 ? 'none' : pending.join(', ')}`);
    if ((db.interrupted ?? []).length > 0)
      output.out(`  interrupted    ${(db.interrupted ?? []).join(', ')}`);
    const caps = db.capabilities ?? {};
    output.out(
      `  capabilities   transactional DDL: ${yesNo(caps.transactionalDdl)}, RETURNING: ${yesNo(caps.returning)}, ` +
        `SKIP LOCKED: ${yesNo(caps.skipLocked)}, migration lock: ${String(caps.migrationLock)}`,
    );
  } else {
    output.out('  unreachable');
  }
  for (const use of report.compatibility ?? []) {
    const by =
      use.accepted_by.length === 0 ? 'no release' : `${use.accepted_by[0]} to ${use.accepted_by.at(-1)}`;
    output.out(
      `  pipelines      ${use.count} use ${use.use}: run by ${by}${use.this_release ? '' : ' (NOT this release)'}`,
    );
  }
  output.out(
    `artifact store   ${artifacts.location}  (artifacts from ${artifacts.source})${artifacts.reachable ? '' : '  unreachable'}`,
  );
  for (const advice of report.advice) output.out(`next: ${advice}`);
  for (const problem of report.problems) output.err(`cairn: error: ${problem}`);
}

export async function reportStatus(
  options: { output: string },
  command: Command,
  context: CliContext,
): Promise<void> {
  const { output } = context;
  if (options.output !== 'text' && options.output !== 'json') {
    throw new CairnError(
      'CONFIG_INVALID',
      `option --output: "${options.output}" is not a format; expected text or json`,
    );
  }
  const report = await collectStatus(configFrom(command));
  if (options.output === 'json') output.out(JSON.stringify(report, null, 2));
  else printText(report, output);
  if (report.problems.length > 0) context.exitCode = 1;
}
