/**
 * Builds a digest so that no single message can stop it: a message whose stored event cannot be
 * read, or that the digest card cannot show, is set aside (for the caller to dead-letter) and the
 * others still go out together. Otherwise one odd message would fail every digest of its channel
 * for as long as it is pending, and the channel would fall back to one post per message.
 */
import type { Activity } from 'botbuilder';
import type { KlinkContact, KlinkMessage } from '../klink/events';
import type { DueDelivery } from '../store/store';
import { type CardSettings, digestActivity, messageOf } from './delivery-card';

export interface DigestBuild {
  /** The digest card for `included`; null when no message could be shown. */
  activity: Partial<Activity> | null;
  included: DueDelivery[];
  /** Messages left out, with why (no message text: the reason is stored and logged). */
  refused: Array<{ item: DueDelivery; reason: string }>;
}

interface Entry {
  item: DueDelivery;
  message: KlinkMessage;
  contact: KlinkContact | null;
}

/**
 * The digest of `due`, without the messages it cannot show. Throws only when the digest fails as a
 * whole although each message on its own can be shown (the caller then sends messages one by one).
 */
export function buildDigest(due: DueDelivery[], settings: CardSettings, reason: string, shrink: number): DigestBuild {
  const refused: DigestBuild['refused'] = [];
  const entries: Entry[] = [];
  for (const item of due) {
    try {
      entries.push({ item, message: messageOf(item.event), contact: item.contact });
    } catch (err) {
      refused.push({ item, reason: cardFailureReason(err) });
    }
  }
  const render = (list: Entry[]) =>
    digestActivity(
      list.map(({ message, contact }) => ({ message, contact })),
      settings,
      reason,
      shrink,
    );
  if (entries.length === 0) return { activity: null, included: [], refused };
  let whole: unknown;
  try {
    return { activity: render(entries), included: entries.map((e) => e.item), refused };
  } catch (err) {
    whole = err;
  }
  // Rendering each message alone costs a template expansion each: only done when the digest failed.
  const shown: Entry[] = [];
  for (const entry of entries) {
    try {
      render([entry]);
      shown.push(entry);
    } catch (err) {
      refused.push({ item: entry.item, reason: cardFailureReason(err) });
    }
  }
  if (shown.length === entries.length) throw whole;
  if (shown.length === 0) return { activity: null, included: [], refused };
  return { activity: render(shown), included: shown.map((e) => e.item), refused };
}

/**
 * Why a card could not be made, for the dead letter and the log. Never the message's text: a JSON
 * error about a stored event quotes part of it, so only its kind is kept.
 */
export function cardFailureReason(err: unknown): string {
  if (err instanceof SyntaxError) return 'card: the stored message cannot be read (SyntaxError)';
  return `card: ${err instanceof Error ? err.message : String(err)}`;
}
