/**
 * Contact enrichment before matching: a message whose contact no `contact.*` webhook told of
 * (or whose API version is older than the refresh time) waits for a look-up in klink's API —
 * when its klink connection has an API token — but never longer than the wait (counted from when
 * the message was received or first seen, whichever is earlier). Messages are matched in the order
 * they were stored, so a waiting message holds the ones after it; their look-ups start at once,
 * side by side. When the wait is over the message goes on with what is known (as without a token).
 */
import type { KlinkApiClient } from '../klink/api-client';
import type { KlinkApiSource } from '../klink/api-source';
import type { KlinkContact } from '../klink/events';
import type { ContactKnowledge, Store } from '../store/store';
import type { ContactLookups, Lookup } from './contact-lookups';
import type { LookupHealth } from './lookup-health';

/** A message event as the enricher needs it. */
export interface EnrichItem {
  eventId: number;
  connectionId: string;
  receivedAt: number;
  /** '' when the message names no contact. */
  contactId: string;
  /** The contact version read with the event. */
  contact: KlinkContact | null;
}

export interface EnrichedBatch {
  /** How many items, from the first, may be matched now; the rest wait. */
  ready: number;
  /** The contact to match each ready item with. */
  contacts: (KlinkContact | null)[];
}

export interface ContactEnricherDeps {
  store: Pick<Store, 'contacts'>;
  apiSource: KlinkApiSource;
  lookups: ContactLookups;
  health: LookupHealth;
  now: () => number;
  refreshMs: number;
  waitMs: number;
  /** Asks for another dispatch pass (a wait ended). */
  wake: () => void;
}

/** Whether klink's API should be asked about a contact known like this. */
export function needsLookup(known: ContactKnowledge | undefined, now: number, refreshMs: number): boolean {
  if (known === undefined) return true;
  if (known.source === 'webhook') return false;
  return now - (known.source === 'api' ? known.fetchedAt : known.checkedAt) >= refreshMs;
}

export class ContactEnricher {
  /** Messages waiting for a look-up, and until when at most. */
  private readonly waiting = new Map<number, { lookup: Lookup; deadline: number }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: ContactEnricherDeps) {}

  /** Decides which items may be matched now and with which contact; starts the look-ups needed. */
  async prepare(items: readonly EnrichItem[]): Promise<EnrichedBatch> {
    const { now: clock, waitMs, refreshMs, lookups, health } = this.deps;
    const clients = new Map<string, KlinkApiClient | null>();
    for (const { connectionId } of items) {
      if (!clients.has(connectionId)) clients.set(connectionId, await this.deps.apiSource.forConnection(connectionId));
    }
    const asked = items.filter((i) => i.contactId !== '' && clients.get(i.connectionId)).map((i) => i.contactId);
    const knowledge = asked.length === 0 ? new Map<string, ContactKnowledge>() : await this.deps.store.contacts.knowledge(asked);
    const now = clock();
    let ready = items.length;
    const contacts: (KlinkContact | null)[] = [];
    for (const [index, item] of items.entries()) {
      const known = knowledge.get(item.contactId);
      const contact = (known && known.contact) ?? item.contact;
      const client = clients.get(item.connectionId);
      let waiting = this.waiting.get(item.eventId);
      if (!waiting && client && item.contactId !== '' && needsLookup(known, now, refreshMs)) {
        const lookup = lookups.lookUp(item.contactId, client);
        if (lookup) this.waiting.set(item.eventId, (waiting = { lookup, deadline: Math.min(now, item.receivedAt) + waitMs }));
      }
      if (ready < items.length) continue;
      if (!waiting || waiting.lookup.settled) contacts.push(waiting?.lookup.contact ?? contact);
      else if (now >= waiting.deadline) {
        health.troubled({ kind: 'slow', waitMs });
        contacts.push(contact);
      } else ready = index;
    }
    this.forget(items, ready);
    return { ready, contacts };
  }

  /** Stops the wake-up timer (shutdown). */
  close(): void {
    clearTimeout(this.timer);
  }

  /** Forgets items that go on now (and any no longer in the batch); wakes up when the next wait ends. */
  private forget(items: readonly EnrichItem[], ready: number): void {
    const held = new Set(items.slice(ready).map((i) => i.eventId));
    for (const id of this.waiting.keys()) if (!held.has(id)) this.waiting.delete(id);
    clearTimeout(this.timer);
    const deadlines = [...this.waiting.values()].filter((w) => !w.lookup.settled).map((w) => w.deadline);
    if (deadlines.length === 0) return;
    this.timer = setTimeout(this.deps.wake, Math.max(0, Math.min(...deadlines) - this.deps.now()));
    this.timer.unref();
  }
}
