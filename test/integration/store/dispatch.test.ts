/** Dispatch on a real store: a failing lookup loses nothing; an unreadable event holds up nothing. */
import assert from 'node:assert/strict';
import { dispatchPending } from '../../../src/delivery/dispatcher';
import { createLogger } from '../../../src/log';
import { emptyFilters } from '../../../src/subscriptions/filters';
import { eachStore } from '../../support/each-store';
import { messageEvent as klinkMessage } from '../../support/fixtures';
import { channel, messageEvent, useStore } from './contract';

eachStore('dispatch', (kind) => {
  const t = useStore(kind);
  const log = createLogger('silent');
  const record = (dataId: string, payload: string) => t.store.events.recordEvent(messageEvent(dataId, { payload }));

  beforeEach(async () => {
    await t.store.conversations.upsertConversation(channel, 1);
    await t.store.conversations.addSubscription(channel.id, emptyFilters(), null, 1);
  });

  it("a store failure while looking up the connection's tenant leaves the events to dispatch again", async () => {
    const { eventId } = await record('m1', JSON.stringify(klinkMessage({ id: 'm1' })));
    let failing = true;
    const connectionTenant = async () => {
      if (failing) throw new Error('connection reset');
      return 't1';
    };
    const deps = { store: t.store, log, vipTags: [], connectionTenant };
    await assert.rejects(dispatchPending(deps, 10), /connection reset/);
    assert.equal(await t.store.deliveries.hasDelivery(eventId, channel.id), false);
    assert.equal((await t.store.deliveries.undispatchedEvents(10)).length, 1, 'the event waits, it is not dropped');
    failing = false;
    assert.equal(await dispatchPending(deps, 11), 1);
    assert.equal(await t.store.deliveries.hasDelivery(eventId, channel.id), true);
  });

  it('an unreadable event is set aside without targets; the events after it are delivered', async () => {
    const bad = await record('m1', '{"data": not json');
    const good = await record('m2', JSON.stringify(klinkMessage({ id: 'm2' })));
    const deps = { store: t.store, log, vipTags: [], connectionTenant: async () => null };
    assert.equal(await dispatchPending(deps, 10), 2);
    assert.deepEqual(await t.store.deliveries.undispatchedEvents(10), []);
    assert.equal(await t.store.deliveries.hasDelivery(bad.eventId, channel.id), false);
    assert.equal(await t.store.deliveries.hasDelivery(good.eventId, channel.id), true);
  });
});
