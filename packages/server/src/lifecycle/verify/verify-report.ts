/**
 * What `verifyDeployment` reports: the checks it ran, and each problem with its kind, the ids of the rows
 * and objects involved, and what a person can do about it. Upgrade, storage-move, restore and reinstall
 * tests read it as data; the CLI prints it.
 */

/** The checks, in the order they run. */
export const VERIFY_CHECKS = {
  schema: 'the schema history matches the migrations of this code, and the live tables match the schema',
  references: 'every reference between rows points at a row that exists',
  'run-states': 'the states of runs, their tasks and their state history agree',
  artifacts: 'every artifact row with stored content has its object(s), with the recorded size and hash',
  objects: 'every object in the artifact store belongs to an artifact row or a task log',
} as const;

export type VerifyCheckName = keyof typeof VERIFY_CHECKS;

/** What a problem's kind means for the person who reads it: generic advice; the message names the ids. */
export const PROBLEM_HINTS = {
  'schema-not-current':
    "The database's schema is not the one this Cairn was written for. Run 'cairn admin migrate' (it finishes an interrupted migration too), then verify again.",
  'schema-newer-than-code':
    'A newer Cairn migrated this database. Verify it with that release or a later one; this release must not touch it.',
  'schema-checksum-mismatch':
    'Released migrations are never edited: the history table was changed by hand, or this code is not the release that migrated the database. Run the release named in the history, or restore the database from a backup.',
  'schema-drift':
    'The tables were changed outside the migrations. Restore the database from a backup, or undo the manual change so the tables match the schema again.',
  'dangling-reference':
    'A row refers to a row that does not exist, which the foreign keys should prevent: the data was loaded or edited with foreign-key checks off. Restore the missing row from a backup taken together with this data, or remove the referring row.',
  'run-without-spec':
    'The run has neither its own pipeline spec nor a pipeline version to read one from, so it can be neither run nor shown. Restore the pipeline version from a backup, or delete the run.',
  'unknown-state':
    'The state is not one this Cairn knows: a newer Cairn wrote it, or the row was edited by hand. Verify with the release that wrote it, or correct the row.',
  'run-tasks-disagree':
    "The run's state does not follow from its tasks' states, so the engine will not finish or resume it correctly. Terminate and retry the run ('cairn run terminate', 'cairn run retry'), or restore the database from a backup.",
  'run-history-mismatch':
    "The run's last recorded state change is not its current state: its history was lost or edited. Restore the database from a backup; the run itself still works.",
  'run-missing-finish-time':
    'The run has ended but records no end time, so durations and lists sorted by it are wrong. Restore the database from a backup, or set finished_at from its state history.',
  'artifact-outside-store':
    "The artifact records stored content, but its URI is not in this artifact store. Point Cairn at the store the URI names (--artifacts), or move the objects with Cairn's storage move, which rewrites the URIs.",
  'artifact-missing':
    'The content of the artifact is gone from the artifact store. Restore the object from a backup of the artifact store taken with this database; if it cannot be recovered, re-run the pipeline that produced it.',
  'artifact-size-mismatch':
    'The object is not the one that was stored (truncated, or overwritten). Restore it from a backup of the artifact store taken with this database, or re-run the pipeline that produced it.',
  'artifact-hash-mismatch':
    'The object has the recorded size but other bytes (corrupted, or overwritten). Restore it from a backup of the artifact store taken with this database, or re-run the pipeline that produced it.',
  'orphan-object':
    "Nothing in the database refers to this object. 'cairn admin verify --fix' moves it under quarantine/<time>/ in the same store (nothing is deleted); delete it from there once no one needs it.",
  'check-failed':
    'The check could not run, so this part of the deployment is unverified. Fix the error it reports, then verify again.',
} as const;

export type ProblemKind = keyof typeof PROBLEM_HINTS;

/** The rows and objects a problem is about; only those that apply are set. */
export interface ProblemIds {
  runId?: string;
  taskId?: string;
  artifactId?: string;
  /** An artifact store key, relative to the store's root. */
  objectKey?: string;
  /** A row of another table: its table, its key (composite keys joined with `/`) and the column at fault. */
  table?: string;
  rowId?: string;
  column?: string;
  /** The id a dangling reference points at. */
  missingId?: string;
  /** A migration's name, such as `0004-create-runs`. */
  migration?: string;
}

/** What `--fix` did about a problem. */
export type ProblemFix = { action: 'quarantined'; to: string } | { action: 'failed'; error: string };

export interface VerifyProblem {
  readonly kind: ProblemKind;
  readonly check: VerifyCheckName;
  /** What is wrong, naming the rows and objects. */
  readonly message: string;
  /** What a person can do about it. */
  readonly hint: string;
  readonly ids: ProblemIds;
  fix?: ProblemFix;
}

export interface CheckResult {
  readonly name: VerifyCheckName;
  /** What the check proves when it passes. */
  readonly description: string;
  status: 'passed' | 'failed' | 'skipped';
  /** Problems found, those beyond the report's limit included. */
  problems: number;
  /** What the check covered, or why it was skipped. */
  note: string;
  durationMs: number;
}

/** What was looked at, so that a clean report says how much it vouches for. */
export interface VerifyStats {
  /** Artifact rows whose content was checked against the store. */
  artifactsChecked: number;
  /** Live artifact rows with nothing stored in this store to check (metadata only, or imported). */
  artifactsWithoutContent: number;
  objectsHashed: number;
  bytesHashed: number;
  objectsListed: number;
  /** Listed objects that an artifact row or a task's log accounts for. */
  objectsKnown: number;
  /** Listed objects of runs still in flight: not judged, since their rows may not be written yet. */
  objectsInFlight: number;
  /** Unaccounted objects younger than the grace period: not judged (see `orphanGraceMs`). */
  objectsRecent: number;
  /** Objects already in quarantine from an earlier `--fix`. */
  objectsInQuarantine: number;
  /** Orphans this verify moved into quarantine. */
  objectsQuarantined: number;
}

export interface VerifyOptionsUsed {
  fix: boolean;
  hash: boolean;
  concurrency: number;
  orphanGraceMs: number;
}

/** `clean`: nothing found; `fixed`: problems found and all of them fixed; `problems`: some remain. */
export type VerifyOutcome = 'clean' | 'fixed' | 'problems';

export interface VerifyReport {
  readonly outcome: VerifyOutcome;
  readonly artifactStore: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly options: VerifyOptionsUsed;
  readonly checks: CheckResult[];
  /** At most MAX_PROBLEMS_PER_KIND of each kind; `omitted` counts the rest. */
  readonly problems: VerifyProblem[];
  readonly omitted: Partial<Record<ProblemKind, number>>;
  readonly stats: VerifyStats;
  /** The `lifecycle_audit` row of this verify, or why none was written. */
  readonly audit: { id: string } | { skipped: string };
}

/** A report of a million orphans helps no one read it; the counts stay exact. */
export const MAX_PROBLEMS_PER_KIND = 1000;

/** Collects problems as the checks find them, keeping at most MAX_PROBLEMS_PER_KIND of each kind. */
export class ProblemList {
  readonly problems: VerifyProblem[] = [];
  readonly omitted: Partial<Record<ProblemKind, number>> = {};
  readonly #perKind = new Map<ProblemKind, number>();
  readonly #perCheck = new Map<VerifyCheckName, number>();
  #fixed = 0;

  /**
   * Records a problem with its kind's hint; returns it for a later `fix`, or undefined when it is beyond
   * the limit (it is counted all the same).
   */
  add(
    check: VerifyCheckName,
    kind: ProblemKind,
    message: string,
    ids: ProblemIds,
  ): VerifyProblem | undefined {
    const seen = (this.#perKind.get(kind) ?? 0) + 1;
    this.#perKind.set(kind, seen);
    this.#perCheck.set(check, (this.#perCheck.get(check) ?? 0) + 1);
    if (seen > MAX_PROBLEMS_PER_KIND) {
      this.omitted[kind] = (this.omitted[kind] ?? 0) + 1;
      return undefined;
    }
    const problem: VerifyProblem = { kind, check, message, hint: PROBLEM_HINTS[kind], ids };
    this.problems.push(problem);
    return problem;
  }

  /**
   * Counts `count` more problems of a kind without recording them: a SQL check fetches at most the limit
   * of rows and counts the rest.
   */
  addUnlisted(check: VerifyCheckName, kind: ProblemKind, count: number): void {
    if (count <= 0) return;
    this.#perKind.set(kind, (this.#perKind.get(kind) ?? 0) + count);
    this.#perCheck.set(check, (this.#perCheck.get(check) ?? 0) + count);
    this.omitted[kind] = (this.omitted[kind] ?? 0) + count;
  }

  /** Records that a problem was fixed (`problem` is undefined for one beyond the limit). */
  fixed(problem: VerifyProblem | undefined, fix: ProblemFix & { action: 'quarantined' }): void {
    this.#fixed++;
    if (problem !== undefined) problem.fix = fix;
  }

  countFor(check: VerifyCheckName): number {
    return this.#perCheck.get(check) ?? 0;
  }

  get total(): number {
    let total = 0;
    for (const count of this.#perKind.values()) total += count;
    return total;
  }

  outcome(): VerifyOutcome {
    const total = this.total;
    if (total === 0) return 'clean';
    return this.#fixed === total ? 'fixed' : 'problems';
  }
}
