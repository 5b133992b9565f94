import assert from 'node:assert/strict';
import path from 'node:path';
import { openSqliteStore } from '../../../src/store/sqlite/sqlite-store';
import type { Store } from '../../../src/store/store';
import { emptyFilters } from '../../../src/subscriptions/filters';
import { makeTempDir } from '../../support/temp-dir';

const conversation = {
  id: '19:general@thread.tacv2', type: 'channel' as const, tenantId: 't1', serviceUrl: 'https://smba.example/amer/',
  channelId: 'msteams', teamId: '19:general@thread.tacv2', botId: '28:bot', botName: 'klink',
};

describe('SQLite store', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let file: string;
  let store: Store;

  beforeEach(() => {
    temp = makeTempDir();
    file = path.join(temp.dir, 'nested', 'klink-teams.db');
    store = openSqliteStore(file);
  });
  afterEach(async () => {
    await store.close();
    temp.remove();
  });

  const event = (dataId: string, kind: 'message' | 'contact' = 'message') => ({
    connectionId: 'default', eventType: 'message.inbound', dataId, kind, payload: '{}', receivedAt: 1000,
  });

  it('stores an event once per (event type, data id) and survives reopening', async () => {
    const first = await store.events.recordEvent(event('m1'));
    const again = await store.events.recordEvent(event('m1'));
    assert.deepEqual(again, { eventId: first.eventId, duplicate: true });
    await store.close();
    store = openSqliteStore(file);
    assert.equal((await store.events.recordEvent(event('m1'))).duplicate, true);
    assert.equal((await store.deliveries.undispatchedEvents(10)).length, 1);
  });

  const contact = (tags: string[], updatedAt: string, present = { name: true, tags: true }) => ({ id: 'c1', name: 'John', tags, updatedAt, present });
  const contactUpdate = (dataId: string, c: ReturnType<typeof contact>) =>
    store.events.recordEvent({ ...event(dataId, 'contact'), eventType: 'contact.update', contact: c });

  it('keeps the newest contact even when updates arrive out of order', async () => {
    await contactUpdate('c1-new', contact(['VIP'], '2026-01-10T08:00:00Z'));
    await contactUpdate('c1-old', contact([], '2026-01-09T08:00:00Z'));
    assert.deepEqual((await store.events.getContact('c1'))?.tags, ['VIP']);
    assert.equal((await store.deliveries.undispatchedEvents(10)).length, 0, 'contact events are not delivered');
  });

  it('compares contact times as instants, whatever their precision or offset', async () => {
    await contactUpdate('v1', contact(['VIP'], '2026-01-10T08:00:00.500000Z'));
    await contactUpdate('v0', contact([], '2026-01-10T08:00:00Z'));
    await contactUpdate('v-offset', contact([], '2026-01-10T09:00:00.100+02:00'));
    assert.deepEqual((await store.events.getContact('c1'))?.tags, ['VIP']);
  });

  it('does not erase tags an update does not carry', async () => {
    await contactUpdate('t1', contact(['VIP'], '2026-01-10T08:00:00Z'));
    await contactUpdate('t2', { ...contact([], '2026-01-11T08:00:00Z', { name: true, tags: false }), name: 'John Smith' });
    assert.deepEqual(await store.events.getContact('c1').then((c) => [c?.name, c?.tags]), ['John Smith', ['VIP']]);
  });

  it('adds a subscription once per filters and numbers them per conversation', async () => {
    await store.conversations.upsertConversation(conversation, 1);
    const a = await store.conversations.addSubscription(conversation.id, { ...emptyFilters(), channels: ['whatsapp'], vip: true }, 'u1', 2);
    const same = await store.conversations.addSubscription(conversation.id, { ...emptyFilters(), vip: true, channels: ['WhatsApp'] }, 'u2', 3);
    const b = await store.conversations.addSubscription(conversation.id, { ...emptyFilters(), channels: ['messenger'] }, 'u1', 4);
    assert.equal(a.created, true);
    assert.deepEqual([same.created, same.subscription.id], [false, a.subscription.id]);
    assert.deepEqual((await store.conversations.listSubscriptions(conversation.id)).map((s) => s.number), [1, 2]);
    const removed = await store.conversations.removeSubscriptions(conversation.id, [a.subscription.id], 'test', 5);
    assert.equal(removed.length, 1);
    const left = await store.conversations.listSubscriptions(conversation.id);
    assert.deepEqual(left.map((s) => [s.id, s.number]), [[b.subscription.id, 1]]);
    assert.equal((await store.conversations.addSubscription(conversation.id, a.subscription.filters, 'u1', 6)).created, true, 'removed filters can be added again');
  });

  it('deactivating a conversation removes its subscriptions with the reason', async () => {
    await store.conversations.upsertConversation(conversation, 1);
    await store.conversations.addSubscription(conversation.id, emptyFilters(), null, 2);
    await store.conversations.deactivateConversation(conversation.id, 'app uninstalled', 3);
    assert.equal((await store.conversations.activeSubscriptions()).length, 0);
    assert.deepEqual(await store.conversations.getConversation(conversation.id).then((c) => [c?.active, c?.removedReason]), [false, 'app uninstalled']);
    await store.conversations.upsertConversation(conversation, 4);
    assert.equal((await store.conversations.getConversation(conversation.id))?.active, true, 'reinstalling reactivates the conversation');
  });

  it('lists conversations with due work, longest waiting first, leaving out the ones the worker asks to skip', async () => {
    const ids = ['a:1', 'a:2', 'a:3'];
    for (const id of ids) await store.conversations.upsertConversation({ ...conversation, id, type: 'personal' }, 1);
    for (const [i, id] of ids.entries()) {
      const { eventId } = await store.events.recordEvent(event(`due-${i}`));
      await store.deliveries.dispatchEvent(eventId, [{ conversationId: id, subscriptionIds: [1] }], 10 + i);
    }
    const due = async (skip?: string[], limit = 10) => (await store.deliveries.dueConversations(100, limit, skip)).map((d) => d.conversation.id);
    assert.deepEqual(await due(), ['a:1', 'a:2', 'a:3']);
    assert.deepEqual(await due(['a:1']), ['a:2', 'a:3'], 'a skipped conversation does not take a place in the batch');
    assert.deepEqual(await due(['a:1', 'a:2'], 1), ['a:3']);
    assert.deepEqual(await store.deliveries.dueConversations(11, 10).then((rows) => rows.map((d) => d.conversation.id)), ['a:1', 'a:2']);
    await assert.rejects(store.deliveries.dueConversations(100, 0), RangeError);
    await assert.rejects(store.deliveries.dueConversations(100, 1.5), RangeError);
  });

  it('creates one delivery per (event, conversation) and walks it to delivered or dead', async () => {
    await store.conversations.upsertConversation(conversation, 1);
    await store.conversations.upsertConversation({ ...conversation, id: 'a:chat', type: 'personal' }, 1);
    const { eventId } = await store.events.recordEvent(event('m1'));
    await store.deliveries.dispatchEvent(eventId, [{ conversationId: conversation.id, subscriptionIds: [1] }, { conversationId: 'a:chat', subscriptionIds: [2] }], 10);
    await store.deliveries.dispatchEvent(eventId, [{ conversationId: conversation.id, subscriptionIds: [1] }], 11);
    assert.equal((await store.deliveries.undispatchedEvents(10)).length, 0);
    const due = await store.deliveries.dueDeliveries(10, 10);
    assert.equal(due.length, 2);
    assert.equal(await store.deliveries.nextDueAt(9), 10);
    assert.equal(await store.deliveries.nextDueAt(10), null, 'work due at the last look is not reported again');
    await store.deliveries.markRetry(due[0].delivery.id, '503', 500, 12);
    assert.equal(await store.deliveries.nextDueAt(12), 500, 'a retry time is');
    await store.conversations.pauseConversation(conversation.id, 800);
    assert.equal(await store.deliveries.nextDueAt(500), 800, 'so is the end of a pause');
    assert.equal((await store.deliveries.dueDeliveries(100, 10)).length, 1, 'a retried delivery waits for its time');
    await store.deliveries.markDelivered(due[1].delivery.id, 'act-1', 'post', 13);
    await store.deliveries.markDead(due[0].delivery.id, '403 BotNotInConversationRoster', 600);
    assert.deepEqual((await store.deliveries.listDeliveries({ state: 'dead' }, 10)).map((d) => [d.attempts, d.lastError]), [[2, '403 BotNotInConversationRoster']]);
    assert.equal(await store.deliveries.nextDueAt(0), null);
  });
});
