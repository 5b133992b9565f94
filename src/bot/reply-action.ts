/**
 * "Send" under a card's Reply (Action.Execute, verb `reply`): answers the klink customer on their
 * channel, as the klink workspace, once per card action. In order: the card must be one this
 * conversation received, the sender a member of it (asked of Teams, outside local mode), replies
 * on for the message's klink connection, the text non-empty and within the channel's limit —
 * otherwise it is refused on the card and nothing is sent. Then the card action's key is claimed
 * in the store before klink is called: a second click or a retried invoke gets the recorded
 * outcome, never a second message. The answer is the card drawn again with the replies sent from
 * it (and Reply again, with a new key), also posted over the card for everyone.
 */
import type { Activity } from 'botbuilder';
import type { MembershipCheck } from '../auth/membership';
import type { CardText } from '../cards/card-text';
import { channelDisplayName } from '../cards/channel-names';
import type { AdaptiveCardJson } from '../cards/render';
import { replyLength, replyLimit } from '../cards/reply-limit';
import { type CardSettings, messageActivity, messageOf } from '../delivery/delivery-card';
import { type ReplyAction, cardReplies, newReplyKey } from '../delivery/reply-options';
import type { KlinkApiSource } from '../klink/api-source';
import { isRecord } from '../klink/events';
import type { ReplyPolicy } from '../klink/reply-policy';
import type { Logger } from '../log';
import type { Conversation, Store, StoredEvent } from '../store/store';
import { sendReply } from './reply-outcome';

export interface ReplyDeps {
  store: Pick<Store, 'events' | 'deliveries' | 'replies'>;
  klinkApi: KlinkApiSource;
  policy: ReplyPolicy;
  /** Null in local mode (no sign-in, as with the tab API): every sender is taken as a member. */
  membership: MembershipCheck | null;
  settings: CardSettings;
  now: () => number;
  log: Logger;
}

export interface ReplySender {
  /** Entra object id (Teams sends it) or, without one, the Bot Framework id. */
  userId: string | null;
  aadObjectId: string | null;
  userName: string | null;
}

export type ReplyAnswer =
  | {
      ok: true;
      card: AdaptiveCardJson;
      /** Also post it over the card for everyone (a reply was claimed). */ update: Partial<Activity> | null;
    }
  | { ok: false; status: 400 | 403; message: string };

const KEY = /^[A-Za-z0-9_-]{8,64}$/;

export async function handleReply(data: unknown, conversation: Conversation, sender: ReplySender, deps: ReplyDeps): Promise<ReplyAnswer> {
  const values = isRecord(data) ? data : {};
  const eventId = Number(values.eventId);
  const key = typeof values.replyKey === 'string' ? values.replyKey : '';
  // Only an event this conversation received is answered: card data can be forged.
  const event =
    Number.isInteger(eventId) && KEY.test(key) && (await deps.store.deliveries.hasDelivery(eventId, conversation.id))
      ? await deps.store.events.getEvent(eventId)
      : null;
  if (!event) return { ok: false, status: 400, message: 'This card cannot be replied to from here.' };
  const message = messageOf(event);
  if (message.direction !== 'inbound' || message.contactId === '')
    return { ok: false, status: 400, message: 'This message cannot be replied to.' };
  if (deps.membership !== null) {
    const member = sender.aadObjectId !== null && (await deps.membership.isMember(conversation, sender.aadObjectId));
    if (!member) return { ok: false, status: 403, message: 'Only members of this team or chat can reply from its cards.' };
  }
  const card = (options: { reply: ReplyAction | undefined; problem?: CardText }) => drawCard(event, conversation.id, options, deps);
  const log = deps.log.child({ conversationId: conversation.id, eventId: event.id });

  if (!(await deps.policy.repliesOn(event.connectionId))) {
    log.info({ refused: 'replies-off' }, 'reply refused');
    const drawn = await card({
      reply: undefined,
      problem: ['Replying from cards is turned off for this klink workspace; nothing was sent.'],
    });
    return { ok: true, card: drawn.card, update: null };
  }
  const text = typeof values.replyText === 'string' ? values.replyText.trim() : '';
  const limit = replyLimit(message.room.channelType);
  const sameAction = { eventId: event.id, actionKey: key, maxLength: limit };
  if (text === '') {
    const drawn = await card({ reply: sameAction, problem: ['Type a reply first; nothing was sent.'] });
    return { ok: true, card: drawn.card, update: null };
  }
  const length = replyLength(text);
  if (length > limit) {
    log.info({ refused: 'too-long', length, limit }, 'reply refused');
    const channel = channelDisplayName(message.room.channelType);
    const problem = [`Your reply has ${length} characters; ${channel} takes at most ${limit}. Shorten it; nothing was sent.`];
    const drawn = await card({ reply: { ...sameAction, draft: text }, problem });
    return { ok: true, card: drawn.card, update: null };
  }

  const claimed = await deps.store.replies.claimReply({
    actionKey: key,
    conversationId: conversation.id,
    eventId: event.id,
    connectionId: event.connectionId,
    contactId: message.contactId,
    roomId: message.roomId,
    userId: sender.userId,
    userName: sender.userName,
    text,
    createdAt: deps.now(),
  });
  if (!claimed.claimed) {
    // A second click, or Teams retrying: the card shows what became of the first; nothing is sent.
    log.info({ replyId: claimed.reply.id, outcome: claimed.reply.outcome }, 'reply already made from this card action; not sent again');
    const someoneElse = claimed.reply.userId !== sender.userId || (claimed.reply.text !== null && claimed.reply.text !== text);
    const drawn = await card({
      reply: { ...sameAction, actionKey: newReplyKey(), draft: someoneElse ? text : undefined },
      problem: someoneElse
        ? ['A reply was already sent from this card just before yours (above); yours was not sent. Send it again if it is still needed.']
        : undefined,
    });
    return { ok: true, card: drawn.card, update: null };
  }
  const result = await sendReply(await deps.klinkApi.forConnection(event.connectionId), message.contactId, text, new Date(deps.now()));
  await deps.store.replies.finishReply(claimed.reply.id, result, deps.now());
  log.info(
    { replyId: claimed.reply.id, outcome: result.outcome, code: result.errorCode, connectionId: event.connectionId },
    'reply from a card',
  );
  const drawn = await card({ reply: { ...sameAction, actionKey: newReplyKey() } });
  return { ok: true, card: drawn.card, update: drawn.activity };
}

/** The message card again: its buttons, the replies sent from it, Reply (when given) and a problem. */
async function drawCard(
  event: StoredEvent,
  conversationId: string,
  options: { reply: ReplyAction | undefined; problem?: CardText },
  deps: ReplyDeps,
): Promise<{ card: AdaptiveCardJson; activity: Partial<Activity> }> {
  const message = messageOf(event);
  const contact = message.contactId ? await deps.store.events.getContact(message.contactId) : null;
  const delivery = await deps.store.deliveries.getDelivery(event.id, conversationId);
  const activity = messageActivity(message, contact, deps.settings, {
    controls: { eventId: event.id, subscriptionIds: delivery?.subscriptionIds ?? [] },
    reply: options.reply,
    replies: await cardReplies(deps.store.replies, conversationId, event.id),
    problem: options.problem,
  });
  return { card: activity.attachments?.[0]?.content as AdaptiveCardJson, activity };
}
