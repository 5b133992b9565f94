/** What to do after a failed request to Teams (pure; rules from TEAMS-FACTS "Errors when sending"). */
import type { TeamsSendError } from '../teams/sender';

export type FailureDecision =
  /** Try again after `delayMs`. */
  | { action: 'retry'; delayMs: number; reason: string }
  /** 429: no request to this conversation before `pauseMs` has passed. */
  | { action: 'throttled'; pauseMs: number; reason: string }
  /** 413: send a smaller card at once (never the same one again). */
  | { action: 'shrink'; reason: string }
  /** 401: the bot's credentials are wrong: stop sending everywhere and tell the operator. */
  | { action: 'credentials'; reason: string }
  /** The bot can no longer post there: stop and deactivate the conversation's subscriptions. */
  | { action: 'deactivate'; reason: string }
  | { action: 'dead'; reason: string };

export const MAX_ATTEMPTS = 8;
export const MAX_SHRINK = 3;
const BASE_DELAY_MS = 1_000;
const MAX_DELAY_MS = 5 * 60_000;
/** Used when Teams throttles without saying for how long. */
const DEFAULT_THROTTLE_MS = 5_000;
/** Teams codes that mean the bot is gone from the conversation for good. */
const GONE_CODES = new Set([
  'BotNotInConversationRoster',
  'ConversationBlockedByUser',
  'BotDisabledByAdmin',
  'MessageWritesBlocked',
  'ConversationNotFound',
]);

/**
 * `attempts` counts the attempt that just failed (1 for the first), `shrink` the smaller cards
 * tried so far. Backoff is exponential with jitter (`random` in [0, 1)) and bounded.
 */
export function decideAfterFailure(error: TeamsSendError, attempts: number, shrink: number, random: () => number): FailureDecision {
  const { status, code } = error;
  const reason = `${status ?? 'no answer'}${code ? ` ${code}` : ''}`;
  if (status === 429) return { action: 'throttled', pauseMs: error.retryAfterMs ?? DEFAULT_THROTTLE_MS, reason };
  if (status === 413)
    return shrink < MAX_SHRINK ? { action: 'shrink', reason } : { action: 'dead', reason: `${reason}: card still too large` };
  if (status === 401) return { action: 'credentials', reason };
  // Refused before any request (outside local mode tokens go to https only): retrying cannot help.
  if (code === 'InsecureServiceUrl') return { action: 'dead', reason: `${reason}: the service URL is not https` };
  if ((status === 404 || status === 403) && (code === null || GONE_CODES.has(code))) return { action: 'deactivate', reason };
  const transient = status === null || status === 408 || status === 412 || status >= 500;
  if (!transient) return { action: 'dead', reason };
  if (attempts >= MAX_ATTEMPTS) return { action: 'dead', reason: `${reason} after ${attempts} attempts` };
  const backoff = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (attempts - 1));
  return { action: 'retry', delayMs: Math.round(backoff / 2 + random() * (backoff / 2)), reason };
}
