/** Small statistics helpers for the benchmark (pure). */
import { maxInWindow } from '../../test/support/rate-windows';

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** The q-quantile (0…1) of sorted values, nearest-rank; NaN when empty. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil(q * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** p50 / p90 / p99 / max / mean of a sample, in its unit. */
export function summarize(values: readonly number[]): LatencySummary {
  const sorted = [...values].sort((a, b) => a - b);
  const sum = sorted.reduce((total, v) => total + v, 0);
  return {
    count: sorted.length,
    p50: quantile(sorted, 0.5),
    p90: quantile(sorted, 0.9),
    p99: quantile(sorted, 0.99),
    max: sorted.length === 0 ? Number.NaN : sorted[sorted.length - 1],
    mean: sorted.length === 0 ? Number.NaN : sum / sorted.length,
  };
}

/** maxInWindow per key: the worst key and its count. */
export function maxInWindowByKey<T>(
  items: readonly T[],
  key: (item: T) => string,
  time: (item: T) => number,
  windowMs: number,
): { max: number; key: string | null } {
  const groups = new Map<string, number[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(time(item));
    else groups.set(k, [time(item)]);
  }
  let worst: { max: number; key: string | null } = { max: 0, key: null };
  for (const [k, times] of groups) {
    const max = maxInWindow(times, windowMs);
    if (max > worst.max) worst = { max, key: k };
  }
  return worst;
}

export function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
