/** Turns stored message events into the cards that are posted for them. */
import type { Activity } from 'botbuilder';
import { type DigestRoom, buildDigestCard } from '../cards/digest-card';
import { buildMessageCard } from '../cards/message-card';
import type { AdaptiveCardJson } from '../cards/render';
import { channelDisplayName } from '../cards/channel-names';
import { contactName } from '../cards/contact-name';
import { type KlinkContact, type KlinkMessage, isRecord, readMessage } from '../klink/events';
import { roomUrl } from '../klink/room-url';
import type { StoredEvent } from '../store/store';
import { isVip } from '../subscriptions/match';
import { cardActivity } from '../teams/activities';

export interface CardSettings {
  vipTags: readonly string[];
  roomUrlTemplate: string;
}

/** Reads the message of a stored event (its payload was validated when it was received). */
export function messageOf(event: StoredEvent): KlinkMessage {
  const body: unknown = JSON.parse(event.payload);
  const data = isRecord(body) && isRecord(body.data) ? body.data : {};
  return readMessage(event.eventType, data);
}

export interface MessageCardOptions {
  controls?: { eventId: number; subscriptionIds: number[] };
  thread?: { messageCount: number; latestText: string; latestAt: string };
  notice?: string;
  shrink?: number;
}

/** The activity (card + notification summary without message text) for one message. */
export function messageActivity(
  message: KlinkMessage,
  contact: KlinkContact | null,
  settings: CardSettings,
  options: MessageCardOptions = {},
): Partial<Activity> {
  const vip = isVip(contact, settings.vipTags);
  const card = buildMessageCard({
    message, contact, vip,
    roomUrl: roomUrl(settings.roomUrlTemplate, message),
    controls: options.controls && message.roomId !== '' ? { roomId: message.roomId, ...options.controls } : undefined,
    thread: options.thread,
    notice: options.notice,
    shrink: options.shrink,
  });
  const who = contactName(contact) ?? 'a contact';
  const what = message.direction === 'inbound' ? 'New message from' : 'Reply to';
  return cardActivity(card, `${channelDisplayName(message.room.channelType)}: ${what} ${who}${vip ? ' (VIP)' : ''}`);
}

/** The digest card for many pending messages, grouped by klink room (newest text per room). */
export function digestActivity(
  items: Array<{ message: KlinkMessage; contact: KlinkContact | null }>,
  settings: CardSettings,
  reason: string,
): Partial<Activity> {
  const rooms = new Map<string, DigestRoom>();
  for (const { message, contact } of items) {
    const key = message.roomId || `message:${message.id}`;
    const room = rooms.get(key);
    if (room) {
      room.count += 1;
      room.latestText = message.text;
      continue;
    }
    rooms.set(key, {
      channelType: message.room.channelType,
      contactName: contactName(contact) ?? '',
      vip: isVip(contact, settings.vipTags),
      count: 1,
      latestText: message.text,
      roomUrl: roomUrl(settings.roomUrlTemplate, message),
    });
  }
  const card: AdaptiveCardJson = buildDigestCard({ rooms: [...rooms.values()], reason });
  return cardActivity(card, `${items.length} klink messages`);
}
