/**
 * A made-up klink message that given filters match, for the tab's preview of what a subscription
 * will post: the channel, the contact's VIP or other tag, the keyword in the text, direction,
 * group or direct room, AI or people, the unread count, the room and contact ids. Names and text
 * say it is a sample; no real customer data is used.
 */
import type { KlinkContact, KlinkMessage } from '../klink/events';
import type { Filters } from '../subscriptions/filters';

export const SAMPLE_CONTACT_NAME = 'Sample contact';

export function sampleMessage(filters: Filters, vipTags: readonly string[], now: number): { message: KlinkMessage; contact: KlinkContact } {
  const keyword = filters.keywords[0];
  const contactId = filters.contacts[0] ?? 'sample-contact';
  const tags = [...(filters.vip ? [vipTags[0] ?? 'VIP'] : []), ...filters.tags.slice(0, 1)];
  return {
    message: {
      id: 'sample-message',
      type: 'text',
      direction: filters.direction === 'outbound' ? 'outbound' : 'inbound',
      text:
        keyword === undefined
          ? 'This is a sample message: no customer wrote it.'
          : `This is a sample message that mentions "${keyword}": no customer wrote it.`,
      createdAt: new Date(now).toISOString(),
      contactId,
      roomId: filters.rooms[0] ?? 'sample-room',
      room: {
        isGroup: filters.group ?? false,
        isAiAgentRoom: filters.ai ?? false,
        channelType: filters.channels[0] ?? 'whatsapp',
        channelName: 'Sample inbox',
        unreadCount: Math.max(filters.minUnread ?? 1, 0),
      },
    },
    contact: { id: contactId, name: SAMPLE_CONTACT_NAME, tags, updatedAt: null },
  };
}
