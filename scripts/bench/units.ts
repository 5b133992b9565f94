/** Unit conversions and rounding for the benchmark's report (pure). */
import { type LatencySummary, round } from './stats';

export function mb(bytes: number): number {
  return round(bytes / (1024 * 1024), 1);
}

export function roundSummary(summary: LatencySummary, digits = 2): LatencySummary {
  return {
    count: summary.count,
    p50: round(summary.p50, digits),
    p90: round(summary.p90, digits),
    p99: round(summary.p99, digits),
    max: round(summary.max, digits),
    mean: round(summary.mean, digits),
  };
}
