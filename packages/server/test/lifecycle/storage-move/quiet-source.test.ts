// The proof a move leans on to skip reading its source again: it must never claim a database untouched
// after a write, from another connection or from its own.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { watchForWrites } from '../../../src/lifecycle/storage-move/quiet-source.ts';
import { RowDigestSum } from '../../../src/lifecycle/storage-move/row-digest.ts';
import { connectDatabase } from '../../../src/store/connect-database.ts';
import { createMigratedDatabase } from '../../support/migrated-database.ts';
import { dialectTargets } from '../../support/test-databases.ts';

for (const { dialect, skip } of await dialectTargets()) {
  describe(`watching ${dialect} for writes`, { skip }, () => {
    test('a write from another connection ends the quiet', async () => {
      const migrated = await createMigratedDatabase(dialect);
      const other = await connectDatabase(migrated.database.location);
      try {
        const watch = await watchForWrites(migrated.db, migrated.dialect);
        if (dialect === 'mysql')
          assert.equal(watch, undefined, 'MySQL cannot tell, so it never claims quiet');
        await other.db
          .insertInto('lifecycle_audit')
          .values(auditRow('written by another connection'))
          .execute();
        assert.notEqual(await watch?.stillQuiet(), true);
      } finally {
        await other.close();
        await migrated.close();
      }
    });

    test('a write through the watched connection itself ends the quiet', async () => {
      const migrated = await createMigratedDatabase(dialect);
      try {
        const watch = await watchForWrites(migrated.db, migrated.dialect);
        await migrated.db.insertInto('lifecycle_audit').values(auditRow('written by the watcher')).execute();
        assert.notEqual(await watch?.stillQuiet(), true);
      } finally {
        await migrated.close();
      }
    });
  });
}

// A server database is shared with other test files writing at the same time; only the embedded one is
// certainly left alone.
test('SQLite left alone stays quiet, reads included', async () => {
  const migrated = await createMigratedDatabase('sqlite');
  try {
    const watch = await watchForWrites(migrated.db, migrated.dialect);
    assert.ok(watch);
    await migrated.db.selectFrom('lifecycle_audit').selectAll().execute();
    assert.equal(await watch.stillQuiet(), true);
    assert.equal(await watch.stillQuiet(), true);
  } finally {
    await migrated.close();
  }
});

describe('a row digest sum', () => {
  test('recorded and read back goes on as if never stopped', () => {
    const whole = new RowDigestSum();
    const first = new RowDigestSum();
    for (const line of ['a\tb', 'c\t\\N']) {
      whole.addLine(line);
      first.addLine(line);
    }
    const resumed = RowDigestSum.of(first.hex());
    whole.addLine('日本語');
    resumed.addLine('日本語');
    assert.equal(resumed.hex(), whole.hex());
    assert.equal(RowDigestSum.of(undefined).hex(), '0'.repeat(64));
  });

  test('does not depend on the order of the lines, and wraps around 2^256', () => {
    const lines = Array.from({ length: 200 }, (_, index) => `row ${index}`);
    const forward = new RowDigestSum();
    const backward = new RowDigestSum();
    for (const line of lines) forward.addLine(line);
    for (const line of lines.toReversed()) backward.addLine(line);
    assert.equal(forward.hex(), backward.hex());
    assert.notEqual(forward.hex(), new RowDigestSum().hex());
  });

  test('of batches, added up, is the sum of all their lines', () => {
    const lines = Array.from({ length: 300 }, (_, index) => `line ${index}\t${'x'.repeat(index)}`);
    const whole = new RowDigestSum();
    for (const line of lines) whole.addLine(line);
    const total = new RowDigestSum();
    for (let start = 0; start < lines.length; start += 70) {
      const batch = new RowDigestSum();
      for (const line of lines.slice(start, start + 70)) batch.addLine(line);
      total.addSum(batch);
    }
    assert.equal(total.hex(), whole.hex());
  });

  test('refuses a recorded sum that is not 64 hex digits', () => {
    assert.throws(() => RowDigestSum.of('xyz'), /a row digest sum is 64 hex digits, not "xyz"/);
  });
});

function auditRow(actor: string) {
  return {
    id: crypto.randomUUID(),
    operation: 'verify',
    actor,
    from_version: null,
    to_version: '0.4.0',
    outcome: 'SUCCEEDED',
    details: '{}',
    started_at: Date.now(),
    finished_at: Date.now(),
  };
}
