/** Turns committed message events into delivery rows: one per matching conversation, unless the room is muted there. */
import type { Logger } from '../log';
import type { Store } from '../store/store';
import { matchingConversations } from '../subscriptions/match';
import { messageOf } from './delivery-card';

const BATCH = 200;

/** Dispatches one batch; returns how many events were handled. */
export async function dispatchPending(store: Store, log: Logger, vipTags: readonly string[], now: number): Promise<number> {
  const events = await store.undispatchedEvents(BATCH);
  if (events.length === 0) return 0;
  const subscriptions = await store.activeSubscriptions();
  const muted = new Set((await store.mutedRooms(now)).map((m) => `${m.conversationId}\n${m.roomId}`));
  for (const event of events) {
    const message = messageOf(event);
    const contact = message.contactId ? await store.getContact(message.contactId) : null;
    const targets = matchingConversations(subscriptions, { message, contact, vipTags })
      .filter((t) => message.roomId === '' || !muted.has(`${t.conversationId}\n${message.roomId}`));
    await store.dispatchEvent(event.id, targets, now);
    log.debug({ eventId: event.id, conversations: targets.length }, 'event dispatched');
  }
  return events.length;
}
