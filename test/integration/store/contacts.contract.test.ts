/** Store contract, contacts learned from klink's API: the same cases on SQLite and PostgreSQL. */
import assert from 'node:assert/strict';
import { eachStore } from '../../support/each-store';
import { messageEvent, useStore } from './contract';

eachStore('store contract: contacts from klink API', (kind) => {
  const t = useStore(kind);

  const webhookContact = (id: string, tags: string[], name = 'From webhook', updatedAt: string | null = '2026-01-10T08:00:00Z') =>
    t.store.events.recordEvent({
      ...messageEvent(`contact-${id}-${name}-${updatedAt}`),
      kind: 'contact',
      eventType: 'contact.update',
      contact: { id, name, tags, updatedAt, present: { name: true, tags: true } },
    });

  it('knows nothing of a contact never seen', async () => {
    assert.deepEqual([...(await t.store.contacts.knowledge(['nobody']))], []);
  });

  it('stores an API answer as the contact version that events are read with, marked as fetched and when', async () => {
    const stored = await t.store.contacts.recordFetched({ id: 'c1', name: 'Ma Ma', tags: ['VIP'] }, 5_000);
    assert.deepEqual(stored, { id: 'c1', name: 'Ma Ma', tags: ['VIP'], updatedAt: null });
    assert.deepEqual((await t.store.contacts.knowledge(['c1', 'other'])).get('c1'), { source: 'api', contact: stored, fetchedAt: 5_000 });
    await t.store.events.recordEvent(messageEvent('m1', { contactId: 'c1' }));
    const [pending] = await t.store.deliveries.undispatchedEvents(10);
    assert.deepEqual(pending.contact, stored);
    assert.deepEqual(await t.store.events.getContact('c1'), stored);
  });

  it('keeps the later API answer when answers are stored out of order', async () => {
    await t.store.contacts.recordFetched({ id: 'c1', name: 'New', tags: ['VIP'] }, 9_000);
    const kept = await t.store.contacts.recordFetched({ id: 'c1', name: 'Old', tags: [] }, 8_000);
    assert.deepEqual([kept.name, kept.tags], ['New', ['VIP']]);
    const refreshed = await t.store.contacts.recordFetched({ id: 'c1', name: 'Newer', tags: [] }, 10_000);
    assert.deepEqual([refreshed.name, refreshed.tags], ['Newer', []]);
  });

  it('never lets an API answer replace a webhook version, however late it was fetched', async () => {
    await webhookContact('c1', ['gold'], 'Webhook name');
    const kept = await t.store.contacts.recordFetched({ id: 'c1', name: 'API name', tags: ['VIP'] }, Date.now() + 60_000);
    assert.deepEqual([kept.name, kept.tags], ['Webhook name', ['gold']]);
    assert.equal((await t.store.contacts.knowledge(['c1'])).get('c1')?.source, 'webhook');
  });

  it('lets a webhook replace an API version at once, whatever its own time', async () => {
    await t.store.contacts.recordFetched({ id: 'c1', name: 'API name', tags: ['VIP'] }, 5_000);
    await webhookContact('c1', [], 'Webhook name', '2000-01-01T00:00:00Z');
    const known = (await t.store.contacts.knowledge(['c1'])).get('c1');
    assert.equal(known?.source, 'webhook');
    assert.deepEqual(await t.store.events.getContact('c1'), {
      id: 'c1',
      name: 'Webhook name',
      tags: [],
      updatedAt: '2000-01-01T00:00:00Z',
    });
    const kept = await t.store.contacts.recordFetched({ id: 'c1', name: 'API again', tags: ['VIP'] }, 6_000);
    assert.equal(kept.name, 'Webhook name');
  });

  it('remembers a contact klink does not know (404) until an answer fetched later finds it', async () => {
    await t.store.contacts.recordNotFound('gone', 1_000);
    await t.store.contacts.recordNotFound('gone', 500);
    assert.deepEqual((await t.store.contacts.knowledge(['gone'])).get('gone'), { source: 'not-found', contact: null, checkedAt: 1_000 });
    await t.store.contacts.recordFetched({ id: 'gone', name: 'Back', tags: [] }, 2_000);
    assert.equal((await t.store.contacts.knowledge(['gone'])).get('gone')?.source, 'api');
    await t.store.contacts.recordNotFound('gone', 3_000);
    const missing = (await t.store.contacts.knowledge(['gone'])).get('gone');
    assert.deepEqual(missing, { source: 'not-found', contact: { id: 'gone', name: 'Back', tags: [], updatedAt: null }, checkedAt: 3_000 });
  });
});
