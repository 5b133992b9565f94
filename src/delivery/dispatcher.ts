/**
 * Turns committed message events into delivery rows: one per matching conversation, unless the
 * room is muted there. One worker dispatches at a time (the `dispatch` lease), and events are read
 * in commit order, so each conversation's deliveries are created in the order klink's messages
 * were stored, whichever instance took the webhook.
 */
import type { Logger } from '../log';
import type { DispatchedEvent, Store } from '../store/store';
import { matchingConversations } from '../subscriptions/match';
import { messageOf } from './delivery-card';

const BATCH = 200;

export interface DispatchDeps {
  store: Pick<Store, 'conversations' | 'deliveries'>;
  log: Logger;
  vipTags: readonly string[];
  /** The Entra tenant a klink connection's events may be posted in; null: any. */
  connectionTenant: (connectionId: string) => Promise<string | null>;
}

/**
 * Dispatches one batch; returns how many events were handled. A klink connection belongs to
 * one tenant: its events only reach conversations of that tenant.
 */
export async function dispatchPending(deps: DispatchDeps, now: number): Promise<number> {
  const { store, log } = deps;
  const events = await store.deliveries.undispatchedEvents(BATCH);
  if (events.length === 0) return 0;
  const subscriptions = await store.conversations.activeSubscriptions();
  const muted = new Set((await store.conversations.mutedRooms(now)).map((m) => `${m.conversationId}\n${m.roomId}`));
  // Resolved before any event is marked: a store failure here aborts the whole batch, which is
  // retried, instead of being taken for an unmatchable event.
  const tenants = new Map<string, string | null>();
  for (const { event } of events) {
    if (!tenants.has(event.connectionId)) tenants.set(event.connectionId, await deps.connectionTenant(event.connectionId));
  }
  const dispatched: DispatchedEvent[] = [];
  for (const { event, contact } of events) {
    let targets: DispatchedEvent['targets'] = [];
    try {
      const message = messageOf(event);
      const tenant = tenants.get(event.connectionId) ?? null;
      const eligible = tenant === null ? subscriptions : subscriptions.filter((s) => s.tenantId.toLowerCase() === tenant);
      targets = matchingConversations(eligible, { message, contact, vipTags: deps.vipTags }).filter(
        (t) => message.roomId === '' || !muted.has(`${t.conversationId}\n${message.roomId}`),
      );
    } catch (err) {
      // One unreadable event must not hold up every later one. Only the event's own content can
      // fail here: everything read from the store was read above.
      log.error({ err, eventId: event.id }, 'event could not be matched; it is not delivered');
    }
    dispatched.push({ eventId: event.id, targets });
  }
  await store.deliveries.dispatchEvents(dispatched, now);
  log.debug({ events: dispatched.length, deliveries: dispatched.reduce((n, e) => n + e.targets.length, 0) }, 'events dispatched');
  return events.length;
}
