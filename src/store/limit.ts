/** Row limits callers pass to the store: a positive whole number, or a RangeError (never a silent "no rows"). */
export function checkLimit(limit: number): number {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
  return limit;
}
