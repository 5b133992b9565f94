/**
 * Pacing within Teams' rate limits (pure, clock passed in). Teams allows per conversation
 * 7 requests in 1 s, 8 in 2 s, 60 in 30 s and 1,800 in an hour, and per app and tenant 50 per
 * second; every send, reply, update and thread creation counts.
 *
 * Teams counts a request when it arrives, which is some time between our sending it and its
 * answer. So a request counts as "now" while it is in flight and, once answered, at the time
 * of its answer: a window measured from those times can only be longer than the one Teams sees.
 */

export interface RateWindow {
  limit: number;
  ms: number;
}

export const CONVERSATION_WINDOWS: readonly RateWindow[] = [
  { limit: 7, ms: 1_000 }, { limit: 8, ms: 2_000 }, { limit: 60, ms: 30_000 }, { limit: 1_800, ms: 3_600_000 },
];
export const TENANT_WINDOWS: readonly RateWindow[] = [{ limit: 50, ms: 1_000 }];
/** Extra length of every window, as a share of it (1 s → 1.02 s), against clock drift. */
export const WINDOW_MARGIN = 0.02;
/** How soon to look again when only an answer still in flight can free a slot. */
const IN_FLIGHT_RECHECK_MS = 20;

/** The request times of one conversation or tenant, oldest first, kept for the longest window. */
export class RequestLog {
  private readonly times: number[] = [];
  private inFlight = 0;

  constructor(private readonly windows: readonly RateWindow[]) {}

  /** A request was sent and is not answered yet. */
  begin(): void {
    this.inFlight += 1;
  }

  /** The request begun earlier was answered (or failed) at `at`. */
  end(at: number): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    this.record(at);
  }

  /** A request answered at `at`. */
  record(at: number): void {
    let i = this.times.length;
    while (i > 0 && this.times[i - 1] > at) i--;
    this.times.splice(i, 0, at);
  }

  /** Milliseconds until one more request is allowed (0: now). */
  waitMs(now: number): number {
    this.prune(now);
    let wait = 0;
    for (const { limit, ms } of this.windows) {
      const span = ms * (1 + WINDOW_MARGIN);
      if (this.countSince(now - span) + this.inFlight < limit) continue;
      // The (limit - inFlight)-th newest answered request has to leave the window first.
      const answeredAllowed = limit - this.inFlight;
      if (answeredAllowed <= 0) {
        wait = Math.max(wait, IN_FLIGHT_RECHECK_MS);
        continue;
      }
      const blocking = this.times[this.times.length - answeredAllowed];
      wait = Math.max(wait, Math.ceil(blocking + span - now) + 1);
    }
    return wait;
  }

  /** Requests still allowed right now in the tightest window. */
  headroom(now: number): number {
    this.prune(now);
    return Math.min(...this.windows.map(({ limit, ms }) => limit - this.inFlight - this.countSince(now - ms * (1 + WINDOW_MARGIN))));
  }

  /** Share of the longest window's budget used, 0..1. */
  longWindowUse(now: number): number {
    const longest = this.windows[this.windows.length - 1];
    return this.countSince(now - longest.ms * (1 + WINDOW_MARGIN)) / longest.limit;
  }

  get size(): number {
    return this.times.length + this.inFlight;
  }

  private countSince(since: number): number {
    let lo = 0;
    let hi = this.times.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.times[mid] > since) hi = mid;
      else lo = mid + 1;
    }
    return this.times.length - lo;
  }

  private prune(now: number): void {
    const longest = Math.max(...this.windows.map((w) => w.ms)) * (1 + WINDOW_MARGIN);
    let drop = 0;
    while (drop < this.times.length && this.times[drop] <= now - longest) drop++;
    if (drop > 0) this.times.splice(0, drop);
  }
}

/** Pacing state of all conversations and tenants this instance sends to. */
export class Pacer {
  private readonly conversations = new Map<string, RequestLog>();
  private readonly tenants = new Map<string, RequestLog>();

  /** Milliseconds until the conversation may get one more request (0: now). */
  waitMs(conversationId: string, tenantId: string, now: number): number {
    return Math.max(this.conversation(conversationId).waitMs(now), this.tenant(tenantId).waitMs(now));
  }

  headroom(conversationId: string, now: number): number {
    return this.conversation(conversationId).headroom(now);
  }

  longWindowUse(conversationId: string, now: number): number {
    return this.conversation(conversationId).longWindowUse(now);
  }

  /**
   * Takes a slot for one request if both the conversation and its tenant allow it now: returns
   * a function to call with the time the request was answered (or failed); otherwise returns the
   * milliseconds to wait. Synchronous, so concurrent senders cannot both take the last slot.
   */
  tryAcquire(conversationId: string, tenantId: string, now: number): number | ((answeredAt: number) => void) {
    const wait = this.waitMs(conversationId, tenantId, now);
    if (wait > 0) return wait;
    return this.acquire(conversationId, tenantId);
  }

  /** Takes a slot whatever the budget says, for a request that goes now anyway; see tryAcquire. */
  acquire(conversationId: string, tenantId: string): (answeredAt: number) => void {
    const conversation = this.conversation(conversationId);
    const tenant = this.tenant(tenantId);
    conversation.begin();
    tenant.begin();
    let ended = false;
    return (answeredAt: number) => {
      if (ended) return;
      ended = true;
      conversation.end(answeredAt);
      tenant.end(answeredAt);
    };
  }

  record(conversationId: string, tenantId: string, at: number): void {
    this.conversation(conversationId).record(at);
    this.tenant(tenantId).record(at);
  }

  /** Drops logs that hold nothing any more (bounded memory over many conversations). */
  sweep(now: number): void {
    for (const map of [this.conversations, this.tenants]) {
      for (const [key, log] of map) {
        log.waitMs(now);
        if (log.size === 0) map.delete(key);
      }
    }
  }

  private conversation(id: string): RequestLog {
    let log = this.conversations.get(id);
    if (!log) this.conversations.set(id, (log = new RequestLog(CONVERSATION_WINDOWS)));
    return log;
  }

  private tenant(id: string): RequestLog {
    let log = this.tenants.get(id);
    if (!log) this.tenants.set(id, (log = new RequestLog(TENANT_WINDOWS)));
    return log;
  }
}
