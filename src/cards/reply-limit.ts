/**
 * The longest reply a card lets a Teams user send to a klink customer. klink's send-message API
 * documents no limit (see klink/FACTS.md), so the bound is the customer's channel's own:
 * WhatsApp and Telegram take 4,096 characters per text, Messenger 2,000, Instagram 1,000; any
 * other channel gets WhatsApp's 4,096. Counted in Unicode code points (an emoji is one).
 */

const LIMITS: Record<string, number> = { messenger: 2_000, facebook: 2_000, instagram: 1_000 };
export const DEFAULT_REPLY_LIMIT = 4_096;

/** The reply limit for a klink channel type. */
export function replyLimit(channelType: string): number {
  return LIMITS[channelType.toLowerCase()] ?? DEFAULT_REPLY_LIMIT;
}

/** The length of a reply as the limit counts it. */
export function replyLength(text: string): number {
  let n = 0;
  for (const _ of text) n += 1;
  return n;
}
