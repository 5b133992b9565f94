/** Turns stored message events into the cards that are posted for them. */
import type { Activity } from 'botbuilder';
import type { CardText } from '../cards/card-text';
import { type DigestRoom, buildDigestCard } from '../cards/digest-card';
import { buildMessageCard } from '../cards/message-card';
import type { AdaptiveCardJson } from '../cards/render';
import type { ReplyLine } from '../cards/reply-lines';
import { channelDisplayName } from '../cards/channel-names';
import { contactName } from '../cards/contact-name';
import { latestLine } from '../cards/latest-line';
import { type KlinkContact, type KlinkMessage, isRecord, readMessage } from '../klink/events';
import { inboxUrl } from '../klink/inbox-url';
import { roomUrl } from '../klink/room-url';
import type { StoredEvent } from '../store/store';
import { isVip } from '../subscriptions/match';
import { cardActivity } from '../teams/activities';
import type { ReplyAction } from './reply-options';

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
  notice?: CardText;
  problem?: CardText;
  reply?: ReplyAction;
  replies?: readonly ReplyLine[];
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
    message,
    contact,
    vip,
    roomUrl: roomUrl(settings.roomUrlTemplate, message),
    controls: options.controls && message.roomId !== '' ? { roomId: message.roomId, ...options.controls } : undefined,
    thread: options.thread,
    notice: options.notice,
    problem: options.problem,
    reply: options.reply,
    replies: options.replies,
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
  /** Times Teams refused a digest of these messages as too large: each step lists fewer rooms. */
  shrink = 0,
): Partial<Activity> {
  const rooms = new Map<string, DigestRoom>();
  // Items come oldest first (the order they were dispatched in): the last one of a room is its newest.
  for (const [index, { message, contact }] of items.entries()) {
    const key = message.roomId || `message:${message.id}`;
    const room = rooms.get(key);
    if (room) {
      room.count += 1;
      room.latestText = latestLine(message);
      room.newest = index;
      continue;
    }
    rooms.set(key, {
      channelType: message.room.channelType,
      contactName: contactName(contact) ?? '',
      vip: isVip(contact, settings.vipTags),
      count: 1,
      latestText: latestLine(message),
      newest: index,
      roomUrl: roomUrl(settings.roomUrlTemplate, message),
    });
  }
  const card: AdaptiveCardJson = buildDigestCard({
    rooms: [...rooms.values()],
    reason,
    inboxUrl: inboxUrl(settings.roomUrlTemplate),
    shrink,
  });
  return cardActivity(card, `${items.length} klink messages`);
}

/**
 * Renders a message card and a digest card once, so the templates' expressions are parsed before
 * the first real card (tens of milliseconds the first card of a fresh process would otherwise wait).
 */
export function warmUpCards(settings: CardSettings): void {
  const message = readMessage('message.inbound', {
    id: 'warm-up',
    message: 'warm-up',
    roomId: 'warm-up',
    room: { channel: { type: 'whatsapp' } },
  });
  messageActivity(message, null, settings, { controls: { eventId: 0, subscriptionIds: [0] } });
  digestActivity([{ message, contact: null }], settings, 'warm-up');
}

/**
 * Rendered message cards of recent events. One event fanned out to many channels renders once:
 * expanding a template costs milliseconds (it parses every expression), which would otherwise
 * bound a fan-out far below Teams' limits. Only the subscription ids behind "Unsubscribe"
 * differ per channel; they are set on a copy.
 */
export class MessageCardCache {
  private readonly cards = new Map<string, Partial<Activity>>();

  constructor(
    private readonly settings: CardSettings,
    private readonly capacity = 256,
  ) {}

  activity(
    event: StoredEvent,
    message: KlinkMessage,
    contact: KlinkContact | null,
    options: { subscriptionIds: number[]; shrink: number; reply?: ReplyAction },
  ): Partial<Activity> {
    const contactKey = contact ? `${contact.updatedAt ?? ''}\n${contact.name}\n${contact.tags.join('\n')}` : '';
    // With Reply, the card's action key is shared by the conversations it goes to: replies are unique per conversation and key.
    const key = `${event.id}\n${options.shrink}\n${options.reply ? 'reply' : ''}\n${contactKey}`;
    let rendered = this.cards.get(key);
    if (rendered) {
      this.cards.delete(key);
    } else {
      rendered = messageActivity(message, contact, this.settings, {
        controls: { eventId: event.id, subscriptionIds: [0] },
        reply: options.reply,
        shrink: options.shrink,
      });
      if (this.cards.size >= this.capacity) this.cards.delete(this.cards.keys().next().value as string);
    }
    this.cards.set(key, rendered);
    return withSubscriptionIds(rendered, options.subscriptionIds);
  }
}

/**
 * A copy of a message activity whose "Unsubscribe" names these subscriptions (none: no button).
 * Only the path to the actions is copied; the rest is shared and never changed.
 */
function withSubscriptionIds(activity: Partial<Activity>, ids: number[]): Partial<Activity> {
  const [attachment] = activity.attachments ?? [];
  const card = attachment?.content as { actions?: Array<{ verb?: string; data?: Record<string, string> }> } | undefined;
  if (!attachment || !card?.actions) return activity;
  const actions = card.actions.flatMap((action) => {
    if (action.verb !== 'unsubscribe') return [action];
    return ids.length === 0 ? [] : [{ ...action, data: { ...action.data, subscriptionIds: ids.join(',') } }];
  });
  return { ...activity, attachments: [{ ...attachment, content: { ...card, actions } }] };
}
