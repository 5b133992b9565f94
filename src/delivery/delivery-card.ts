/** Turns a stored message event into the card that is posted for it. */
import { buildMessageCard } from '../cards/message-card';
import type { AdaptiveCardJson } from '../cards/render';
import { channelDisplayName } from '../cards/channel-names';
import { type KlinkContact, type KlinkMessage, isRecord, readMessage } from '../klink/events';
import { roomUrl } from '../klink/room-url';
import type { StoredEvent } from '../store/store';
import { isVip } from '../subscriptions/match';

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

/** The card and the notification summary (no message text) for one message. */
export function deliveryCard(
  message: KlinkMessage,
  contact: KlinkContact | null,
  settings: CardSettings,
): { card: AdaptiveCardJson; summary: string } {
  const vip = isVip(contact, settings.vipTags);
  const card = buildMessageCard({ message, contact, vip, roomUrl: roomUrl(settings.roomUrlTemplate, message) });
  const who = contact?.name ? contact.name : 'a contact';
  const what = message.direction === 'inbound' ? 'New message from' : 'Reply to';
  const summary = `${channelDisplayName(message.room.channelType)}: ${what} ${who}${vip ? ' (VIP)' : ''}`;
  return { card, summary };
}
