/**
 * The buttons on message cards (Action.Execute): "Mute this room" and "Unsubscribe". Each
 * answers with the card to show in place of the one that was clicked.
 */
import type { CardText } from '../cards/card-text';
import { noticeCard } from '../cards/notice-card';
import type { AdaptiveCardJson } from '../cards/render';
import { type CommandPlace, typedCommand } from '../cards/typed-command';
import { type CardSettings, messageActivity, messageOf } from '../delivery/delivery-card';
import { isRecord } from '../klink/events';
import type { Store } from '../store/store';
import { formatFilters } from '../subscriptions/format';

/** The mute durations the card offers, in milliseconds. */
export const MUTE_CHOICES = [3_600_000, 28_800_000, 86_400_000, 604_800_000];

export interface CardActionDeps {
  store: Store;
  settings: CardSettings;
  now: () => number;
}

export type CardActionResult = { ok: true; card: AdaptiveCardJson } | { ok: false; status: 400; message: string };

export async function handleCardAction(
  verb: string,
  data: unknown,
  ctx: { conversationId: string; conversationType: CommandPlace; userId: string | null; userName: string | null },
  deps: CardActionDeps,
): Promise<CardActionResult> {
  const values = isRecord(data) ? data : {};
  switch (verb) {
    case 'muteRoom': {
      const roomId = typeof values.roomId === 'string' ? values.roomId : '';
      const duration = Number(values.muteFor);
      if (roomId === '' || !MUTE_CHOICES.includes(duration))
        return { ok: false, status: 400, message: 'Choose how long to mute this room.' };
      const until = deps.now() + duration;
      await deps.store.conversations.muteRoom(ctx.conversationId, roomId, until, ctx.userId);
      const notice: CardText = [
        'Muted here until ',
        { time: until },
        `${ctx.userName ? ` by ${ctx.userName}` : ''}: new messages of this klink conversation are not posted here until then.`,
      ];
      return { ok: true, card: await cardWithNotice(values.eventId, ctx.conversationId, notice, deps, 'Room muted') };
    }
    case 'unsubscribe': {
      const ids = (
        typeof values.subscriptionIds === 'string' || typeof values.subscriptionIds === 'number' ? String(values.subscriptionIds) : ''
      )
        .split(',')
        .map(Number)
        .filter((n) => Number.isInteger(n) && n > 0);
      if (ids.length === 0) return { ok: false, status: 400, message: 'This card names no subscription.' };
      const removed = await deps.store.conversations.removeSubscriptions(
        ctx.conversationId,
        ids,
        `unsubscribed from a card by ${ctx.userId ?? 'a user'}`,
        deps.now(),
      );
      const notice: CardText = [
        removed.length === 0
          ? 'Those subscriptions were already removed; nothing changed.'
          : `Unsubscribed${ctx.userName ? ` by ${ctx.userName}` : ''}: ${removed.map((s) => `"${formatFilters(s.filters)}"`).join(', ')}. Type ${typedCommand('subscribe', ctx.conversationType)} … to subscribe again.`,
      ];
      return { ok: true, card: await cardWithNotice(values.eventId, ctx.conversationId, notice, deps, 'Unsubscribed') };
    }
    default:
      return { ok: false, status: 400, message: `Unknown card action "${verb}".` };
  }
}

/** The clicked message card again, without its buttons and with the confirmation underneath. */
async function cardWithNotice(
  eventId: unknown,
  conversationId: string,
  notice: CardText,
  deps: CardActionDeps,
  title: string,
): Promise<AdaptiveCardJson> {
  // Only an event this conversation received is shown again: card data can be forged.
  const id = Number(eventId);
  const event =
    Number.isInteger(id) && (await deps.store.deliveries.hasDelivery(id, conversationId)) ? await deps.store.events.getEvent(id) : null;
  if (!event) return noticeCard({ title, text: notice });
  const message = messageOf(event);
  const contact = message.contactId ? await deps.store.events.getContact(message.contactId) : null;
  const activity = messageActivity(message, contact, deps.settings, { notice });
  const content = activity.attachments?.[0]?.content as AdaptiveCardJson | undefined;
  return content ?? noticeCard({ title, text: notice });
}
