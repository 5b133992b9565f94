/**
 * How every card writes a time: Teams' `{{DATE()}}` / `{{TIME()}}` text functions, which each
 * reader sees in their own locale and time zone. They accept only an RFC 3339 timestamp without
 * fractions of a second (2026-12-02T16:53:00Z); anything else is shown as typed.
 */

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** `at` (an ISO string or epoch milliseconds) as `YYYY-MM-DDTHH:MM:SSZ`, or null when it is not a time. */
export function cardTimestamp(at: string | number): string | null {
  const ms = typeof at === 'number' ? at : Date.parse(at);
  if (!Number.isFinite(ms)) return null;
  const date = new Date(ms);
  if (Number.isNaN(date.getTime())) return null;
  const time = date.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return RFC3339.test(time) ? time : null;
}

/** "Wed, Dec 2, 2026, 8:53 AM" in the reader's zone; `fallback` when `at` is not a time. */
export function cardTime(at: string | number, fallback: Date): string {
  const time = cardTimestamp(at) ?? cardTimestamp(fallback.getTime()) ?? '1970-01-01T00:00:00Z';
  return `{{DATE(${time}, SHORT)}}, {{TIME(${time})}}`;
}
