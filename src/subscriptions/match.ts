/** Matching a klink message against subscription filters (pure). */
import type { KlinkContact, KlinkMessage } from '../klink/events';
import type { Filters } from './filters';

export interface MatchInput {
  message: KlinkMessage;
  /** The contact as last seen in a `contact.*` event, or null when unknown. */
  contact: KlinkContact | null;
  /** Tags that make a contact VIP (KLINK_VIP_TAGS). */
  vipTags: readonly string[];
}

/** True when the contact carries one of the VIP tags (case-insensitive). */
export function isVip(contact: KlinkContact | null, vipTags: readonly string[]): boolean {
  if (!contact) return false;
  const vip = new Set(vipTags.map((t) => t.toLowerCase()));
  return contact.tags.some((tag) => vip.has(tag.toLowerCase()));
}

/** All given kinds must match; several values of one kind mean any of them. */
export function matches(filters: Filters, { message, contact, vipTags }: MatchInput): boolean {
  const { room } = message;
  const contactTags = new Set((contact?.tags ?? []).map((t) => t.toLowerCase()));
  const text = message.text.toLowerCase();
  return (
    (filters.direction === 'both' || filters.direction === message.direction) &&
    (filters.channels.length === 0 || filters.channels.includes(room.channelType)) &&
    (!filters.vip || isVip(contact, vipTags)) &&
    (filters.tags.length === 0 || filters.tags.some((tag) => contactTags.has(tag.toLowerCase()))) &&
    (filters.keywords.length === 0 || filters.keywords.some((k) => text.includes(k.toLowerCase()))) &&
    (filters.group === undefined || filters.group === room.isGroup) &&
    (filters.ai === undefined || filters.ai === room.isAiAgentRoom) &&
    (filters.minUnread === undefined || room.unreadCount >= filters.minUnread) &&
    (filters.rooms.length === 0 || filters.rooms.includes(message.roomId)) &&
    (filters.contacts.length === 0 || filters.contacts.includes(message.contactId))
  );
}

/** The conversations to post a message in, each once, with the subscriptions of it that matched. */
export function matchingConversations(
  subscriptions: ReadonlyArray<{ id: number; conversationId: string; filters: Filters }>,
  input: MatchInput,
): Array<{ conversationId: string; subscriptionIds: number[] }> {
  const byConversation = new Map<string, number[]>();
  for (const s of subscriptions) {
    if (!matches(s.filters, input)) continue;
    const ids = byConversation.get(s.conversationId) ?? [];
    ids.push(s.id);
    byConversation.set(s.conversationId, ids);
  }
  return [...byConversation].map(([conversationId, subscriptionIds]) => ({ conversationId, subscriptionIds }));
}
