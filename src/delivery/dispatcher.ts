/** Turns committed message events into delivery rows: one per matching conversation, unless the room is muted there. */
import type { Logger } from '../log';
import type { Store } from '../store/store';
import { matchingConversations } from '../subscriptions/match';
import { messageOf } from './delivery-card';

const BATCH = 200;

/**
 * Dispatches one batch; returns how many events were handled. A klink connection belongs to
 * one tenant: its events only reach conversations of that tenant.
 */
export async function dispatchPending(
  store: Store,
  log: Logger,
  vipTags: readonly string[],
  connectionTenant: (connectionId: string) => Promise<string | null>,
  now: number,
): Promise<number> {
  const events = await store.deliveries.undispatchedEvents(BATCH);
  if (events.length === 0) return 0;
  const subscriptions = await store.conversations.activeSubscriptions();
  const muted = new Set((await store.conversations.mutedRooms(now)).map((m) => `${m.conversationId}\n${m.roomId}`));
  for (const event of events) {
    let targets: Array<{ conversationId: string; subscriptionIds: number[] }> = [];
    try {
      const message = messageOf(event);
      const contact = message.contactId ? await store.events.getContact(message.contactId) : null;
      const tenant = await connectionTenant(event.connectionId);
      const eligible = tenant === null ? subscriptions : subscriptions.filter((s) => s.tenantId.toLowerCase() === tenant);
      targets = matchingConversations(eligible, { message, contact, vipTags })
        .filter((t) => message.roomId === '' || !muted.has(`${t.conversationId}\n${message.roomId}`));
    } catch (err) {
      // One unreadable event must not hold up every later one.
      log.error({ err, eventId: event.id }, 'event could not be matched; it is not delivered');
    }
    await store.deliveries.dispatchEvent(event.id, targets, now);
    log.debug({ eventId: event.id, conversations: targets.length }, 'event dispatched');
  }
  return events.length;
}
