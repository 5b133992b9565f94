/**
 * Look-ups of contacts in klink's API (`GET /contacts/{id}`), one per contact at a time: a
 * message that needs a contact already being looked up shares that look-up. What klink answers is
 * stored (a found contact as an API version, a 404 as "not found"), also when the message that
 * asked has long been posted, so later messages and other instances use it. At most
 * MAX_IN_FLIGHT look-ups run in this process; after a failure the contact is not asked about
 * again for FAILURE_PAUSE_MS (the API client has already retried).
 */
import type { Counter } from 'prom-client';
import type { KlinkApiClient, KlinkApiContact } from '../klink/api-client';
import { KlinkApiError } from '../klink/api-errors';
import type { KlinkContact } from '../klink/events';
import type { Logger } from '../log';
import type { FetchedContact, Store } from '../store/store';
import type { LookupHealth } from './lookup-health';

const MAX_IN_FLIGHT = 64;
const FAILURE_PAUSE_MS = 30_000;

/** A look-up under way or finished; `contact` is what it learned (null: nothing, or not found). */
export interface Lookup {
  settled: boolean;
  contact: KlinkContact | null;
}

export interface ContactLookupsDeps {
  store: Pick<Store, 'contacts'>;
  log: Logger;
  now: () => number;
  lookups: Counter<'outcome'>;
  health: LookupHealth;
  /** A look-up within this is "klink answers in time" (for the log). */
  waitMs: number;
  /** A look-up finished: messages waiting for it may go on. */
  onSettled: () => void;
}

/** klink's answer as a stored contact: tag names trimmed, without empty ones or repeats. */
export function fetchedContact(answer: KlinkApiContact, requestedId: string): FetchedContact {
  const tags = [...new Set(answer.tags.map((t) => t.name.trim()).filter((t) => t !== ''))];
  return { id: requestedId, name: answer.name?.trim() ?? '', tags };
}

export class ContactLookups {
  private readonly inFlight = new Map<string, Lookup>();
  private readonly failedAt = new Map<string, number>();

  constructor(private readonly deps: ContactLookupsDeps) {}

  /**
   * The look-up of this contact under way, or a new one; null when none may start now (too many
   * under way, or it failed a moment ago).
   */
  lookUp(contactId: string, client: KlinkApiClient): Lookup | null {
    const running = this.inFlight.get(contactId);
    if (running) return running;
    const now = this.deps.now();
    for (const [id, at] of this.failedAt) if (at + FAILURE_PAUSE_MS <= now) this.failedAt.delete(id);
    if (this.failedAt.has(contactId) || this.inFlight.size >= MAX_IN_FLIGHT) return null;
    const lookup: Lookup = { settled: false, contact: null };
    this.inFlight.set(contactId, lookup);
    void this.run(contactId, client, lookup, now);
    return lookup;
  }

  private async run(contactId: string, client: KlinkApiClient, lookup: Lookup, startedAt: number): Promise<void> {
    const { store, log, health } = this.deps;
    let outcome: string;
    try {
      const answer = await client.getContact(contactId);
      lookup.contact = await store.contacts.recordFetched(fetchedContact(answer, contactId), this.deps.now());
      outcome = 'found';
    } catch (err) {
      outcome = await this.failed(contactId, err);
    }
    if (outcome === 'found' || outcome === 'not_found') {
      if (this.deps.now() - startedAt <= this.deps.waitMs) health.answered();
    } else {
      this.failedAt.set(contactId, this.deps.now());
    }
    this.deps.lookups.inc({ outcome });
    log.debug({ outcome, ms: this.deps.now() - startedAt }, 'klink contact look-up finished');
    lookup.settled = true;
    this.inFlight.delete(contactId);
    this.deps.onSettled();
  }

  /** Records a 404; logs and classifies any other failure. Returns the outcome label. */
  private async failed(contactId: string, err: unknown): Promise<string> {
    const { store, log, health } = this.deps;
    if (err instanceof KlinkApiError && err.code === 'contact-not-found') {
      try {
        await store.contacts.recordNotFound(contactId, this.deps.now());
        return 'not_found';
      } catch (storeErr) {
        log.warn({ err: storeErr }, 'could not store that klink does not know a contact');
        return 'error';
      }
    }
    if (err instanceof KlinkApiError) {
      health.troubled({ kind: 'failing', code: err.code, status: err.status });
      return err.code.replaceAll('-', '_');
    }
    log.warn({ err }, 'klink contact look-up failed unexpectedly');
    return 'error';
  }
}
