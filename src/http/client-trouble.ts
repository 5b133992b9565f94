/**
 * Requests that never arrive whole: clients that give up mid-body (an abort) and slow senders cut
 * off at the deadline (see request-deadline.ts). Neither is our failure, and a flood of them
 * must not flood the log: each is counted, and one info line a minute at most says how many.
 */
import type { IncomingMessage } from 'node:http';
import type { Logger } from '../log';

export type Trouble = 'aborted' | 'cut_off';

/** Lines at most this often (the first comes at once). */
export const TROUBLE_LOG_EVERY_MS = 60_000;

export class ClientTrouble {
  private counts = new Map<string, number>();
  private readonly cut = new WeakSet<IncomingMessage>();
  private lastLineAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly log: Logger,
    private readonly now: () => number,
  ) {}

  /** Counts `req` as aborted if it closes before its body has arrived (and was not cut off). */
  watch(req: IncomingMessage, route: string): void {
    req.once('close', () => {
      if (!req.complete && !this.cut.has(req)) this.record('aborted', route);
    });
  }

  /** Counts `req` as cut off at the deadline. */
  cutOff(req: IncomingMessage, route: string): void {
    this.cut.add(req);
    this.record('cut_off', route);
  }

  /** Counts one; logs the counts since the last line when a minute has passed. */
  private record(trouble: Trouble, route: string): void {
    const key = `${trouble} ${route}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    const now = this.now();
    if (now - this.lastLineAt < TROUBLE_LOG_EVERY_MS) return;
    this.lastLineAt = now;
    const requests = Object.fromEntries(this.counts);
    this.counts = new Map();
    this.log.info(
      { requests, sinceMs: TROUBLE_LOG_EVERY_MS },
      'requests whose body never arrived whole (client aborted, or cut off at HTTP_REQUEST_TIMEOUT_MS); counts since the last such line',
    );
  }
}

/** Routes whose bodies are counted by name; any other path is "other" (callers choose paths, not our labels). */
const BODY_ROUTES = ['/api/klink/webhook', '/api/messages', '/api/tab', '/admin/consent'];

/** The label a request is counted under: one of ours, never the path as the caller sent it. */
export function routeLabel(req: { path(): string }): string {
  const path = req.path();
  return BODY_ROUTES.find((route) => path === route || path.startsWith(`${route}/`)) ?? 'other';
}
