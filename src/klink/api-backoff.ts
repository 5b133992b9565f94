/**
 * When to try a klink API call again: exponential backoff with full jitter, and klink's
 * `Retry-After` (seconds or an HTTP date) honoured but capped. Pure: random and clock are passed in.
 */

export interface BackoffPolicy {
  /** First retry waits up to this long (before jitter). */
  baseDelayMs: number;
  /** No computed wait is longer than this. */
  maxDelayMs: number;
  /** A Retry-After longer than this is cut to it, so one answer cannot stall a caller for hours. */
  maxRetryAfterMs: number;
}

/** Wait before retry number `retry` (1 = first retry): a random share of base·2^(retry-1), capped. */
export function backoffDelay(retry: number, policy: BackoffPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.round(ceiling * Math.min(1, Math.max(0, random())));
}

/**
 * Milliseconds a `Retry-After` header asks for, capped at `maxRetryAfterMs`; null when absent or
 * unreadable. A date in the past means "now" (0).
 */
export function retryAfterMs(header: string | null, nowMs: number, maxRetryAfterMs: number): number | null {
  if (header === null) return null;
  const value = header.trim();
  let ms: number;
  if (/^\d+$/.test(value)) ms = Number(value) * 1000;
  else {
    const date = Date.parse(value);
    if (Number.isNaN(date)) return null;
    ms = Math.max(0, date - nowMs);
  }
  return Math.min(ms, maxRetryAfterMs);
}
