/**
 * A concurrency limit for calls to klink: at most `limit` run at once, the rest wait in order.
 * klink documents no rate limits, so the client stays gentle by never flooding it.
 */

export type Limiter = <T>(task: () => Promise<T>) => Promise<T>;

/** Runs tasks with at most `limit` in flight; later ones queue first-in, first-out. */
export function createLimiter(limit: number): Limiter {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`concurrency limit must be a positive integer, got ${limit}`);
  let running = 0;
  const waiting: (() => void)[] = [];
  const release = () => {
    running -= 1;
    const next = waiting.shift();
    if (next) next();
  };
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    running += 1;
    try {
      return await task();
    } finally {
      release();
    }
  };
}
