/** What to do after a failed send (pure; Teams' error rules from TEAMS-FACTS "Errors when sending"). */
import type { TeamsSendError } from '../teams/sender';

export type FailureDecision =
  | { action: 'retry'; delayMs: number; reason: string }
  | { action: 'dead'; reason: string }
  /** The bot can no longer post there: stop and deactivate the conversation's subscriptions. */
  | { action: 'deactivate'; reason: string };

export const MAX_ATTEMPTS = 8;
const BASE_DELAY_MS = 1_000;
const MAX_DELAY_MS = 5 * 60_000;
/** Teams codes that mean the bot is gone from the conversation for good. */
const GONE_CODES = ['BotNotInConversationRoster', 'ConversationBlockedByUser', 'BotDisabledByAdmin', 'ConversationNotFound', 'MessageWritesBlocked'];

/**
 * `attempts` counts the attempt that just failed (1 for the first). Backoff is exponential with
 * full jitter (`random` in [0, 1)), bounded, and never shorter than a Retry-After.
 */
export function decideAfterFailure(error: TeamsSendError, attempts: number, random: () => number): FailureDecision {
  const status = error.status;
  const label = `${status ?? 'network'}${error.code ? ` ${error.code}` : ''}`;
  if (status === 403 || status === 404) {
    if (status === 404 || (error.code !== null && GONE_CODES.includes(error.code)) || error.code === null) {
      return { action: 'deactivate', reason: label };
    }
    return { action: 'dead', reason: label };
  }
  if (status === 400 || status === 413) return { action: 'dead', reason: label };
  if (attempts >= MAX_ATTEMPTS) return { action: 'dead', reason: `${label} after ${attempts} attempts` };
  const backoff = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (attempts - 1));
  const jittered = Math.round(backoff / 2 + random() * (backoff / 2));
  const delayMs = Math.max(jittered, error.retryAfterMs ?? 0);
  return { action: 'retry', delayMs, reason: label };
}
