/**
 * Teams' rate limits as a budget shared by everything that sends to Teams: delivery workers and
 * the bot's answers, on any instance. Teams allows per conversation 7 requests in 1 s, 8 in 2 s,
 * 60 in 30 s and 1,800 in an hour, and per app and tenant 50 per second; every send, reply,
 * update and thread creation counts.
 *
 * A request takes a slot before it is sent and is marked answered when Teams answers (or it
 * fails). Teams counts a request when it arrives, which is some time between our sending it and
 * its answer: so a slot counts as "now" while in flight and, once answered, at the answer time.
 * A slot never answered (its sender died) counts as in flight until IN_FLIGHT_LIMIT_MS after it
 * was taken, then at that time. Windows measured this way are never shorter than Teams' own.
 */

export interface RateWindow {
  limit: number;
  ms: number;
}

export const CONVERSATION_WINDOWS: readonly RateWindow[] = [
  { limit: 7, ms: 1_000 },
  { limit: 8, ms: 2_000 },
  { limit: 60, ms: 30_000 },
  { limit: 1_800, ms: 3_600_000 },
];
export const TENANT_WINDOWS: readonly RateWindow[] = [{ limit: 50, ms: 1_000 }];
/** Extra length of every window, as a share of it, against clock drift… */
export const WINDOW_MARGIN = 0.02;
/**
 * …and in milliseconds, against clocks of instances that differ (slots are stamped with the clock
 * of the instance that sent the request): 1 s → 1.045 s. Instances' clocks must agree within this.
 */
export const CLOCK_SKEW_MS = 25;
/** How soon to ask again when only an answer still in flight can free a slot. */
export const IN_FLIGHT_RECHECK_MS = 20;
/** Longest a slot counts as in flight: longer than any request to Teams may take (15 s). */
export const IN_FLIGHT_LIMIT_MS = 20_000;

/** A window's length with the margin, in whole milliseconds. */
export function span(window: RateWindow): number {
  return Math.round(window.ms * (1 + WINDOW_MARGIN)) + CLOCK_SKEW_MS;
}

export interface BudgetTarget {
  conversationId: string;
  tenantId: string;
}

export interface SlotGrant {
  granted: true;
  slot: number;
  /** Requests the conversation may still send right now, after this one, in its tightest window. */
  headroom: number;
  /** Share of the conversation's hourly budget used by answered requests, 0..1. */
  hourlyUse: number;
}

export interface SlotRefusal {
  granted: false;
  /** When to ask again. */
  waitMs: number;
  /** What said no: the conversation's windows, its tenant's, a 429 pause, or too little spare budget. */
  blockedBy: 'conversation' | 'tenant' | 'paused' | 'spare';
}

export interface TakeOptions {
  /** Take the slot whatever the windows and pauses say (a reply that waited long enough); it still counts. */
  force?: boolean;
  /**
   * Only with spare budget: at least `headroom` requests allowed now and under `hourlyShare` of
   * the hourly budget used (optional work such as refreshing a thread root card).
   */
  spare?: { headroom: number; hourlyShare: number };
}

export interface TakenSlot {
  conversationId: string;
  tenantId: string;
  takenAt: number;
  answeredAt: number | null;
}

export interface TeamsBudget {
  /** Takes a slot for one request to the conversation if its and its tenant's windows allow it now. */
  take(target: BudgetTarget, now: number, options?: TakeOptions): Promise<SlotGrant | SlotRefusal>;
  /** The request of `slot` was answered (or failed) at `at`. */
  answered(slot: number, at: number): Promise<void>;
  /** Forgets slots that no longer count in any window. */
  prune(now: number): Promise<void>;
  /** Slots taken since `since`, oldest first (for operators and tests). */
  slotsSince(since: number): Promise<TakenSlot[]>;
}

/** What one window set says, from counts the store made. */
export interface WindowState {
  /** Slots in flight (not answered, not expired). */
  inFlight: number;
  /** For each window (same order as the windows): answered slots inside it. */
  answered: number[];
}

/**
 * Milliseconds until one more request is allowed (0: now). `kthNewest(k)` gives the time of the
 * k-th newest answered slot (1 = newest). The PostgreSQL store computes the same in SQL.
 */
export function windowWait(windows: readonly RateWindow[], state: WindowState, now: number, kthNewest: (k: number) => number): number {
  let wait = 0;
  windows.forEach((window, i) => {
    if (state.answered[i] + state.inFlight < window.limit) return;
    // The (limit - inFlight)-th newest answered slot has to leave the window first.
    const allowed = window.limit - state.inFlight;
    if (allowed <= 0) {
      wait = Math.max(wait, IN_FLIGHT_RECHECK_MS);
      return;
    }
    wait = Math.max(wait, kthNewest(allowed) + span(window) - now + 1);
  });
  return wait;
}

/** Requests still allowed right now in the tightest window. */
export function windowHeadroom(windows: readonly RateWindow[], state: WindowState): number {
  return Math.min(...windows.map((w, i) => w.limit - state.inFlight - state.answered[i]));
}

/** Share of the longest window's budget used by answered slots. */
export function longWindowUse(windows: readonly RateWindow[], state: WindowState): number {
  const last = windows.length - 1;
  return state.answered[last] / windows[last].limit;
}
