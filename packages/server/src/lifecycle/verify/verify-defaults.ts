// Apart from verify-deployment.ts so that the CLI can show them in its help without loading the verify.

/** Long enough for clock skew and lagging listings, short enough that a fresh orphan shows the same day. */
export const DEFAULT_ORPHAN_GRACE_MS = 10 * 60_000;
/** Objects read at once while hashing: enough to hide a remote store's latency, few enough for one core. */
export const DEFAULT_HASH_CONCURRENCY = 4;
