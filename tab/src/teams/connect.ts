/**
 * Connecting the page to Teams: `app.initialize` (with the loopback parent as the only extra
 * valid origin, in local development only), then the context. Bounded: outside Teams the
 * answer never comes, and the page says so instead of waiting for ever.
 */
import { app } from '@microsoft/teams-js';
import { localMessageOrigins } from '../logic/message-origins';

export type Connection = { ok: true; context: app.Context } | { ok: false; reason: string };

const CONNECT_TIMEOUT_MS = 8000;

export async function connectToTeams(timeoutMs = CONNECT_TIMEOUT_MS): Promise<Connection> {
  if (window.parent === window) return { ok: false, reason: 'the page is not inside Teams' };
  const origins = localMessageOrigins(location.hostname, location.ancestorOrigins?.[0]);
  const connecting = (async (): Promise<Connection> => {
    await app.initialize(origins);
    return { ok: true, context: await app.getContext() };
  })();
  return withDeadline(connecting, timeoutMs, 'Teams did not answer').catch((err: unknown) => ({
    ok: false as const,
    reason: err instanceof Error ? err.message : String(err),
  }));
}

/** The promise's answer, or a rejection once `ms` have passed. */
export function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${Math.round(ms / 1000)} s`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
