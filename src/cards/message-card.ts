/** The card posted for one klink message. */
import type { KlinkContact, KlinkMessage } from '../klink/events';
import { type CardText, renderCardText } from './card-text';
import { cardTime } from './card-time';
import { channelDisplayName } from './channel-names';
import { contactName } from './contact-name';
import { escapeMarkdown } from './escape-markdown';
import { httpsImageUrl, httpsUrl } from './https-url';
import type { ReplyLine } from './reply-lines';
import { type AdaptiveCardJson, CardTemplateError, CardTooLargeError, renderTemplate } from './render';
import template from './templates/message-card.json';
import { truncateText } from './truncate-text';

export interface MessageCardInput {
  message: KlinkMessage;
  contact: KlinkContact | null;
  vip: boolean;
  /** Where "Open in klink" leads (KLINK_ROOM_URL_TEMPLATE filled in). */
  roomUrl: string;
  /** Shown when the message carries no valid createdAt. */
  now?: Date;
  /** "Mute this room" and "Unsubscribe" on the card (posts delivered for subscriptions). */
  controls?: { roomId: string; eventId: number; subscriptionIds: number[] };
  /** On a thread's root card: how the klink conversation went on. */
  thread?: { messageCount: number; latestText: string; latestAt: string };
  /** A confirmation shown in place after a card action. */
  notice?: CardText;
  /** A refusal or failure shown in place after a card action (e.g. a reply that was not sent). */
  problem?: CardText;
  /** "Reply" on the card: the customer can be answered from it (only when replies are on). */
  reply?: { eventId: number; actionKey: string; maxLength: number; draft?: string };
  /** Replies sent from this card so far (reply-lines.ts). */
  replies?: readonly ReplyLine[];
  /** How many times Teams refused the card as too large: each step shortens the text more. */
  shrink?: number;
}

/** Message text limits tried in turn until the card fits MAX_CARD_BYTES. */
const TEXT_LIMITS = [1000, 400, 100, 0];
const NAME_LIMIT = 120;
const LABEL_LIMIT = 200;
const TYPE_LIMIT = 40;
const ATTACHMENT_TYPES = new Set(['file', 'document', 'video', 'audio']);

/** Builds the message card: who, where, when, the (shortened) text or media, and Open in klink. */
export function buildMessageCard(input: MessageCardInput): AdaptiveCardJson {
  if (input.roomUrl.trim() === '') throw new CardTemplateError('The message card needs a room URL for "Open in klink".');
  let lastError: CardTooLargeError | null = null;
  for (const limit of TEXT_LIMITS.slice(Math.min(input.shrink ?? 0, TEXT_LIMITS.length - 1))) {
    try {
      return renderTemplate(template, cardData(input, limit));
    } catch (err) {
      if (!(err instanceof CardTooLargeError)) throw err;
      lastError = err;
    }
  }
  throw lastError ?? new CardTemplateError('The message card could not be rendered.');
}

function cardData(input: MessageCardInput, textLimit: number) {
  const { message, contact, vip, roomUrl } = input;
  const { room } = message;
  const channel = channelDisplayName(room.channelType);
  const inbox = room.channelName.trim();
  return {
    contactName: escapeMarkdown(truncateText(contactName(contact) ?? 'Unknown contact', NAME_LIMIT).text),
    vip,
    source: escapeMarkdown(truncateText(inbox === '' ? channel : `${channel} · ${inbox}`, LABEL_LIMIT).text),
    hasBadges: room.isGroup || room.isAiAgentRoom || room.unreadCount > 0,
    isGroup: room.isGroup,
    isAiAgentRoom: room.isAiAgentRoom,
    unreadCount: room.unreadCount,
    unreadLabel: `${room.unreadCount} unread`,
    author: authorOf(message),
    time: cardTime(message.createdAt, input.now ?? new Date()),
    roomUrl,
    ...content(message, textLimit),
    ...threadData(input, textLimit),
    notice: input.notice ? renderCardText(input.notice, LABEL_LIMIT) : '',
    problem: input.problem ? renderCardText(input.problem, LABEL_LIMIT) : '',
    replies: input.replies ?? [],
    hasReplies: (input.replies ?? []).length > 0,
    ...replyData(input),
    hasControls: input.controls !== undefined,
    roomId: input.controls?.roomId ?? '',
    eventId: String(input.controls?.eventId ?? ''),
    subscriptionIds: (input.controls?.subscriptionIds ?? []).join(','),
  };
}

function replyData(input: MessageCardInput) {
  const reply = input.reply;
  const channel = channelDisplayName(input.message.room.channelType);
  return {
    hasReply: reply !== undefined,
    replyKey: reply?.actionKey ?? '',
    replyEventId: String(reply?.eventId ?? ''),
    replyMaxLength: reply?.maxLength ?? 0,
    replyDraft: reply?.draft ?? '',
    replyLabel: `Your reply goes to ${contactName(input.contact) ?? 'the customer'} on ${channel}, sent as your klink workspace`,
  };
}

function threadData(input: MessageCardInput, textLimit: number) {
  const thread = input.thread;
  if (!thread || thread.messageCount < 2) return { threadLabel: '', latestText: '' };
  const latest = truncateText(thread.latestText.trim(), Math.min(textLimit, 300)).text;
  return {
    threadLabel: `${thread.messageCount} messages in this klink conversation · latest ${cardTime(thread.latestAt, input.now ?? new Date())}`,
    latestText: latest === '' ? '' : escapeMarkdown(latest),
  };
}

/** What the message carries: text, an image, an attachment link, or a note for unknown types. */
function content(message: KlinkMessage, textLimit: number) {
  const out = { typeLabel: '', text: '', truncated: false, imageUrl: '', attachmentLink: '' };
  const type = message.type;
  if (type === 'image') {
    const image = httpsImageUrl(message.text);
    if (image !== null) return { ...out, imageUrl: image };
    const link = httpsUrl(message.text);
    if (link !== null) return { ...out, attachmentLink: `[Open image](${link})` };
  } else if (ATTACHMENT_TYPES.has(type)) {
    const link = httpsUrl(message.text);
    if (link !== null) return { ...out, attachmentLink: `[Open attachment](${link})` };
  } else if (type !== 'text') {
    out.typeLabel = escapeMarkdown(`[${truncateText(type, TYPE_LIMIT).text} message]`);
  }
  const { text, truncated } = truncateText(message.text.trim(), textLimit);
  if (text !== '') return { ...out, text: escapeMarkdown(text), truncated };
  if (truncated) return { ...out, truncated };
  return out.typeLabel === '' ? { ...out, text: '(empty message)' } : out;
}

function authorOf(message: KlinkMessage): string {
  if (message.direction === 'inbound') return 'Customer';
  return message.room.isAiAgentRoom ? 'AI agent' : 'Agent';
}
