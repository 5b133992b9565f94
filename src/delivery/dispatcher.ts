/**
 * Turns committed message events into delivery rows: one per matching conversation, unless the
 * room is muted there. One worker dispatches at a time (the `dispatch` lease), and events are read
 * in commit order, so each conversation's deliveries are created in the order klink's messages
 * were stored, whichever instance took the webhook. With contact enrichment, a message whose
 * contact is being looked up in klink waits (briefly, see contact-enricher.ts), and so do the
 * messages after it.
 */
import type { KlinkMessage } from '../klink/events';
import type { Logger } from '../log';
import type { DispatchedEvent, Store } from '../store/store';
import { matchingConversations } from '../subscriptions/match';
import type { ContactEnricher } from './contact-enricher';
import { messageOf } from './delivery-card';

const BATCH = 200;

export interface DispatchDeps {
  store: Pick<Store, 'conversations' | 'deliveries'>;
  log: Logger;
  vipTags: readonly string[];
  /** The Entra tenant a klink connection's events may be posted in; null: any. */
  connectionTenant: (connectionId: string) => Promise<string | null>;
  /** Looks contacts up in klink's API before matching; absent: contacts as stored. */
  enricher?: ContactEnricher;
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
  const messages = events.map(({ event }): KlinkMessage | Error => {
    try {
      return messageOf(event);
    } catch (err) {
      return err as Error;
    }
  });
  const { ready, contacts } = deps.enricher
    ? await deps.enricher.prepare(
        events.map(({ event, contact }, i) => {
          const message = messages[i];
          const contactId = message instanceof Error ? '' : message.contactId;
          return { eventId: event.id, connectionId: event.connectionId, receivedAt: event.receivedAt, contactId, contact };
        }),
      )
    : { ready: events.length, contacts: events.map((e) => e.contact) };
  const dispatched: DispatchedEvent[] = [];
  for (const [i, { event }] of events.slice(0, ready).entries()) {
    let targets: DispatchedEvent['targets'] = [];
    const contact = contacts[i];
    try {
      const message = messages[i];
      if (message instanceof Error) throw message;
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
  if (dispatched.length === 0) return 0;
  await store.deliveries.dispatchEvents(dispatched, now);
  log.debug({ events: dispatched.length, deliveries: dispatched.reduce((n, e) => n + e.targets.length, 0) }, 'events dispatched');
  return dispatched.length;
}
