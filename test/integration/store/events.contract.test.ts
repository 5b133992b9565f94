/** Store contract, events and contacts: the same cases on SQLite and PostgreSQL. */
import assert from 'node:assert/strict';
import { eachStore } from '../../support/each-store';
import { messageEvent, useStore } from './contract';

eachStore('store contract: events and contacts', (kind) => {
  const t = useStore(kind);

  it('stores an event once per (connection, event type, data id) and keeps it across reopening', async () => {
    const first = await t.store.events.recordEvent(messageEvent('m1'));
    const again = await t.store.events.recordEvent(messageEvent('m1'));
    assert.deepEqual(again, { eventId: first.eventId, duplicate: true });
    assert.equal((await t.store.events.recordEvent(messageEvent('m1', { connectionId: 'k2' }))).duplicate, false, 'another connection');
    assert.equal(
      (await t.store.events.recordEvent(messageEvent('m1', { eventType: 'message.outbound' }))).duplicate,
      false,
      'another type',
    );
    await t.store.close();
    t.store = await t.database.open();
    assert.equal((await t.store.events.recordEvent(messageEvent('m1'))).duplicate, true);
    assert.equal((await t.store.deliveries.undispatchedEvents(10)).length, 3);
  });

  it('commits webhooks that arrive together, each with its own answer, duplicates within the group included', async () => {
    const results = await Promise.all(['a', 'b', 'a', 'c', 'b'].map((id) => t.store.events.recordEvent(messageEvent(id))));
    assert.deepEqual(
      results.map((r) => r.duplicate),
      [false, false, true, false, true],
    );
    assert.equal(results[2].eventId, results[0].eventId);
    assert.equal(results[4].eventId, results[1].eventId);
    assert.equal(new Set(results.map((r) => r.eventId)).size, 3);
    const stored = await t.store.events.findEvents(['a', 'b', 'c']);
    assert.deepEqual(
      stored.map((e) => e.dataId),
      ['a', 'b', 'c'],
      'in the order they came',
    );
  });

  it('gives an event back as it was stored, and finds events by klink id', async () => {
    const { eventId } = await t.store.events.recordEvent(
      messageEvent('m1', { payload: '{"data":{"message":"hi"}}', roomId: 'room-1', receivedAt: 1234 }),
    );
    const event = await t.store.events.getEvent(eventId);
    assert.deepEqual(event, {
      id: eventId,
      connectionId: 'default',
      eventType: 'message.inbound',
      dataId: 'm1',
      payload: '{"data":{"message":"hi"}}',
      receivedAt: 1234,
      roomId: 'room-1',
    });
    assert.equal(await t.store.events.getEvent(eventId + 1000), null);
    assert.deepEqual(await t.store.events.findEvents(['nope']), []);
  });

  const contact = (tags: string[], updatedAt: string | null, present = { name: true, tags: true }) => ({
    id: 'c1',
    name: 'John',
    tags,
    updatedAt,
    present,
  });
  const contactUpdate = (dataId: string, c: ReturnType<typeof contact>) =>
    t.store.events.recordEvent({ ...messageEvent(dataId), kind: 'contact', eventType: 'contact.update', contact: c });

  it('keeps the newest contact even when updates arrive out of order, and contact events are not delivered', async () => {
    await contactUpdate('c1-new', contact(['VIP'], '2026-01-10T08:00:00Z'));
    await contactUpdate('c1-old', contact([], '2026-01-09T08:00:00Z'));
    assert.deepEqual(await t.store.events.getContact('c1'), { id: 'c1', name: 'John', tags: ['VIP'], updatedAt: '2026-01-10T08:00:00Z' });
    assert.equal((await t.store.deliveries.undispatchedEvents(10)).length, 0);
    assert.equal(await t.store.events.getContact('c2'), null);
  });

  it('compares contact times as instants, whatever their precision or offset', async () => {
    await contactUpdate('v1', contact(['VIP'], '2026-01-10T08:00:00.500000Z'));
    await contactUpdate('v0', contact([], '2026-01-10T08:00:00Z'));
    await contactUpdate('v-offset', contact([], '2026-01-10T09:00:00.100+02:00'));
    assert.deepEqual((await t.store.events.getContact('c1'))?.tags, ['VIP']);
  });

  it('does not erase a field an update does not carry, and a duplicate update changes nothing', async () => {
    await contactUpdate('t1', contact(['VIP'], '2026-01-10T08:00:00Z'));
    await contactUpdate('t2', { ...contact([], '2026-01-11T08:00:00Z', { name: true, tags: false }), name: 'John Smith' });
    assert.deepEqual(await t.store.events.getContact('c1').then((c) => [c?.name, c?.tags]), ['John Smith', ['VIP']]);
    await contactUpdate('t2', { ...contact(['gold'], '2026-01-12T08:00:00Z'), name: 'Someone else' });
    assert.deepEqual(await t.store.events.getContact('c1').then((c) => [c?.name, c?.tags]), ['John Smith', ['VIP']]);
  });

  it('an update without a readable time still applies', async () => {
    await contactUpdate('u1', contact(['VIP'], '2026-01-10T08:00:00Z'));
    await contactUpdate('u2', contact(['gold'], null));
    await contactUpdate('u3', contact(['silver'], 'yesterday'));
    assert.deepEqual((await t.store.events.getContact('c1'))?.tags, ['silver']);
  });

  it('after an update with an unreadable time, the next readable one applies, whatever its time', async () => {
    await contactUpdate('u1', contact(['VIP'], '2026-01-10T08:00:00Z'));
    await contactUpdate('u2', contact(['gold'], 'not a time'));
    assert.equal((await t.store.events.getContact('c1'))?.updatedAt, 'not a time');
    await contactUpdate('u3', contact(['silver'], '2026-01-09T08:00:00Z'));
    const stored = await t.store.events.getContact('c1');
    assert.deepEqual([stored?.tags, stored?.updatedAt], [['silver'], '2026-01-09T08:00:00Z']);
  });

  it('removes message text after delivery and the retention time, keeping ids and room facts', async () => {
    const payload = JSON.stringify({
      event: 'message.inbound',
      data: { id: 'm1', message: 'secret words', roomId: 'r1', room: { lastMessage: 'secret words', unreadCount: 2 } },
    });
    const { eventId } = await t.store.events.recordEvent(messageEvent('m1', { payload, receivedAt: 100 }));
    const pending = await t.store.events.recordEvent(messageEvent('m2', { payload, receivedAt: 100 }));
    await t.store.conversations.upsertConversation(
      { id: 'a:1', type: 'personal', tenantId: 't', serviceUrl: 's', channelId: 'msteams', teamId: null, botId: 'b', botName: 'k' },
      1,
    );
    await t.store.deliveries.dispatchEvents(
      [
        { eventId, targets: [] },
        { eventId: pending.eventId, targets: [{ conversationId: 'a:1', subscriptionIds: [] }] },
      ],
      200,
    );
    assert.equal(await t.store.events.purgeMessageText(50, 300), 0, 'not before the retention time');
    assert.equal(await t.store.events.purgeMessageText(1_000, 300), 1, 'only the event whose deliveries are finished');
    const purged = JSON.parse((await t.store.events.getEvent(eventId))?.payload ?? '{}') as {
      data: { id: string; message: string; room: { lastMessage: string; unreadCount: number } };
    };
    assert.deepEqual([purged.data.id, purged.data.message, purged.data.room.lastMessage, purged.data.room.unreadCount], ['m1', '', '', 2]);
    assert.match((await t.store.events.getEvent(pending.eventId))?.payload ?? '', /secret words/);
    assert.equal(await t.store.events.purgeMessageText(1_000, 400), 0, 'once');
  });

  it('counts rows per table', async () => {
    const before = await t.store.rowCounts();
    assert.equal(before.events, 0);
    await t.store.events.recordEvent(messageEvent('m1'));
    const after = await t.store.rowCounts();
    assert.deepEqual({ ...after, events: 0 }, before);
    assert.equal(after.events, 1);
  });
});
