/**
 * Bounds how often the consent callback asks Entra for a token, per client and overall. Each check
 * is a client-credentials request under the bot's own app id, and Entra throttles an app's token
 * requests together: a flood of callbacks must not use up what Teams delivery needs to get its
 * Bot Connector tokens. Only callbacks that would ask Entra count (a valid state from this browser).
 *
 * Kept in memory, in a bounded structure (a fixed number of clients, a fixed number of timestamps
 * each), with an injected clock: it limits this process's calls to Entra, which is what it
 * protects, without a database write per request. With several instances the service as a whole
 * allows the overall limit once per instance.
 */

export interface RateLimitSettings {
  perClient: number;
  overall: number;
  windowMs: number;
  /** Clients remembered at most; the least recently seen is forgotten first. */
  maxClients: number;
}

/** 10 checks per client and 50 in all per 5 minutes: far above what admins consenting need. */
export const CONSENT_RATE_LIMIT: RateLimitSettings = { perClient: 10, overall: 50, windowMs: 5 * 60_000, maxClients: 10_000 };

export type RateDecision = { allowed: true } | { allowed: false; retryAfterMs: number };

export class ConsentRateLimit {
  private readonly clients = new Map<string, number[]>();
  private all: number[] = [];

  constructor(
    private readonly now: () => number,
    private readonly settings: RateLimitSettings = CONSENT_RATE_LIMIT,
  ) {}

  /** Takes one check for `client` if both its own and the overall limit allow it. */
  take(client: string): RateDecision {
    const now = this.now();
    const since = now - this.settings.windowMs;
    this.all = this.all.filter((t) => t > since);
    const own = (this.clients.get(client) ?? []).filter((t) => t > since);
    const full = own.length >= this.settings.perClient ? own : this.all.length >= this.settings.overall ? this.all : null;
    if (full !== null) {
      this.remember(client, own);
      return { allowed: false, retryAfterMs: Math.max(1_000, full[0] + this.settings.windowMs - now) };
    }
    own.push(now);
    this.all.push(now);
    this.remember(client, own);
    return { allowed: true };
  }

  private remember(client: string, times: number[]): void {
    this.clients.delete(client);
    if (times.length > 0) this.clients.set(client, times);
    while (this.clients.size > this.settings.maxClients) {
      const oldest = this.clients.keys().next().value;
      if (oldest === undefined) break;
      this.clients.delete(oldest);
    }
  }
}
