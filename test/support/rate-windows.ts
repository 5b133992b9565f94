/**
 * The largest number of timestamps inside any window of `windowMs` (half-open: t … t + windowMs),
 * i.e. what a "at most N requests in any W ms" rule is checked against.
 */
export function maxInWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while (sorted[end] - sorted[start] >= windowMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}
