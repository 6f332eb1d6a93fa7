import type { Kysely } from 'kysely';
import type { CairnDatabase } from '../../store/tables.ts';

/**
 * Writes that belong with a fenced state change (state history, lineage), run in its transaction and only
 * when the fence passed. Throwing rolls the whole change back. `now` is the database clock the change
 * was stamped with. Write through `trx` only: the outer database handle would use another connection,
 * which waits for this transaction's locks (or, on SQLite, for its one connection) and never gets them.
 */
export type ExtraWrites = (trx: Kysely<CairnDatabase>, context: { now: number }) => Promise<void>;
