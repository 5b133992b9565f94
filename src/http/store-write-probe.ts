/**
 * Can the store commit? A read (`SELECT 1`) succeeds on a full disk or a read-only database while
 * every webhook fails, so readiness makes one real, tiny write: it renews a lease row of its own
 * ("readiness-probe"), which nothing else uses. One probe at a time, its answer reused for
 * PROBE_CACHE_MS so frequent /readyz calls cost one write per interval, and bounded in time.
 */
import type { LeaseStore } from '../store/leases';

/** A probe's answer is reused this long (readiness recovers at most this much later). */
export const PROBE_CACHE_MS = 1_000;
/** A write that takes longer than this counts as failed. */
export const PROBE_TIMEOUT_MS = 2_000;
const LEASE = 'readiness-probe';

/** Returns a function that resolves with null when the store commits, or why it did not. */
export function storeWriteProbe(leases: Pick<LeaseStore, 'acquireLease'>, now: () => number): () => Promise<string | null> {
  let last: { at: number; answer: Promise<string | null> } | null = null;
  return () => {
    if (last !== null && now() - last.at < PROBE_CACHE_MS) return last.answer;
    last = { at: now(), answer: probe(leases, now()) };
    return last.answer;
  };
}

async function probe(leases: Pick<LeaseStore, 'acquireLease'>, at: number): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`the store did not commit a write within ${PROBE_TIMEOUT_MS} ms`), PROBE_TIMEOUT_MS);
  });
  const write = leases.acquireLease(LEASE, LEASE, at, 0).then(
    () => null,
    (err: unknown) => `the store cannot commit: ${(err as Error).message}`,
  );
  try {
    return await Promise.race([write, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
