/** Store contract, the delivery queue: dispatch, claims, the walk to delivered or dead, threads. */
import assert from 'node:assert/strict';
import { eachStore } from '../../support/each-store';
import { channel, chat, dispatched, messageEvent, useStore } from './contract';

eachStore('store contract: delivery queue', (kind) => {
  const t = useStore(kind);
  const claim = (
    holder: string,
    now: number,
    extra: { limit?: number; skip?: string[]; staleRootsBefore?: number; leaseMs?: number } = {},
  ) =>
    t.store.deliveries
      .claimConversations({
        holder,
        now,
        leaseMs: extra.leaseMs ?? 1_000,
        limit: extra.limit ?? 10,
        skip: extra.skip ?? [],
        staleRootsBefore: extra.staleRootsBefore ?? 0,
      })
      .then((list) => list.map((c) => c.conversation.id));

  /** A slot answered at `at`, as delivery records with a card. */
  const slot = async (at: number) => {
    const taken = await t.store.budget.take({ conversationId: channel.id, tenantId: 't1' }, at, { force: true });
    assert.ok(taken.granted);
    return { slot: taken.slot, answeredAt: at };
  };

  beforeEach(async () => {
    await t.store.conversations.upsertConversation(channel, 1);
    for (const id of ['a:1', 'a:2', 'a:3']) await t.store.conversations.upsertConversation(chat(id), 1);
  });

  it('creates one delivery per (event, conversation), in the order of the events, and marks the events dispatched', async () => {
    const first = await t.store.events.recordEvent(messageEvent('m1'));
    const second = await t.store.events.recordEvent(messageEvent('m2'));
    const targets = [{ conversationId: 'a:1', subscriptionIds: [1, 2] }];
    await t.store.deliveries.dispatchEvents(
      [
        { eventId: first.eventId, targets },
        { eventId: second.eventId, targets: [] },
      ],
      10,
    );
    await t.store.deliveries.dispatchEvents([{ eventId: first.eventId, targets }], 11);
    assert.deepEqual(await t.store.deliveries.undispatchedEvents(10), []);
    const third = await dispatched(t.store, 'm3', ['a:1']);
    const pending = await t.store.deliveries.pendingDeliveriesFor('a:1', 10);
    assert.deepEqual(
      pending.map((p) => p.event.id),
      [first.eventId, third],
    );
    assert.deepEqual(pending[0].delivery.subscriptionIds, [1, 2]);
    assert.deepEqual([pending[0].delivery.state, pending[0].delivery.attempts, pending[0].delivery.nextAttemptAt], ['pending', 0, 10]);
    assert.equal(pending[0].conversation.id, 'a:1');
    assert.equal(await t.store.deliveries.hasDelivery(first.eventId, 'a:1'), true);
    assert.equal(await t.store.deliveries.hasDelivery(second.eventId, 'a:1'), false);
    assert.equal(await t.store.deliveries.countPending(), 2);
    assert.equal(await t.store.deliveries.countPending('a:2'), 0);
  });

  it('finds the delivery of one event to one conversation, with the subscriptions that matched', async () => {
    const { eventId } = await t.store.events.recordEvent(messageEvent('m1'));
    await t.store.deliveries.dispatchEvents([{ eventId, targets: [{ conversationId: 'a:1', subscriptionIds: [4, 7] }] }], 10);
    const found = await t.store.deliveries.getDelivery(eventId, 'a:1');
    assert.deepEqual([found?.eventId, found?.conversationId, found?.subscriptionIds, found?.state], [eventId, 'a:1', [4, 7], 'pending']);
    assert.equal(await t.store.deliveries.getDelivery(eventId, 'a:2'), null);
  });

  it('claims conversations with due work, longest waiting first, for one worker at a time', async () => {
    await dispatched(t.store, 'm1', ['a:2'], 10);
    await dispatched(t.store, 'm2', ['a:1'], 20);
    await dispatched(t.store, 'm3', ['a:3'], 30);
    assert.deepEqual(await claim('w1', 25, { limit: 1 }), ['a:2']);
    assert.deepEqual(await claim('w2', 25), ['a:1'], "a:3 is not due yet; a:2 is w1's");
    assert.deepEqual(await claim('w2', 40, { skip: ['a:1'] }), ['a:3']);
    assert.deepEqual(await claim('w1', 40, { skip: ['a:2'] }), [], 'w1 skips what it already serves');
    assert.deepEqual(await claim('w1', 40), ['a:2'], 'a worker may claim again what it holds');
    await assert.rejects(claim('w1', 40, { limit: 0 }), RangeError);
    const [newest] = await t.store.deliveries.listDeliveries({ conversationId: 'a:2' }, 1);
    const [again] = await t.store.deliveries.claimConversations({
      holder: 'w1',
      now: 40,
      leaseMs: 1_000,
      limit: 1,
      skip: [],
      staleRootsBefore: 0,
    });
    assert.deepEqual(
      [again.conversation.id, again.newestDue],
      ['a:2', newest.id],
      'a claim says up to which delivery the conversation was due',
    );
  });

  it('a claim expires unless renewed; renewing tells the holder what it still holds; release frees at once', async () => {
    await dispatched(t.store, 'm1', ['a:1'], 10);
    await dispatched(t.store, 'm2', ['a:2'], 10);
    assert.deepEqual((await claim('w1', 100, { leaseMs: 1_000 })).sort(), ['a:1', 'a:2']);
    assert.deepEqual((await t.store.deliveries.renewClaims('w1', ['a:1', 'a:2'], 900, 1_000)).sort(), ['a:1', 'a:2']);
    assert.deepEqual(await claim('w2', 1_500), [], 'renewed until 1,900');
    assert.deepEqual((await claim('w2', 1_900)).sort(), ['a:1', 'a:2'], 'expired: another worker takes them over');
    assert.deepEqual(await t.store.deliveries.renewClaims('w1', ['a:1', 'a:2'], 1_950, 1_000), [], 'w1 learns it lost them');
    await t.store.deliveries.releaseClaims('w2', ['a:1']);
    assert.deepEqual(await claim('w3', 2_000), ['a:1']);
    const [listed] = await t.store.deliveries.listDeliveries({ conversationId: 'a:1' }, 10);
    assert.deepEqual(listed.claim, { holder: 'w3', until: 3_000 }, 'operators see who holds a pending delivery');
  });

  it('leaves paused conversations out until their pause ends', async () => {
    await dispatched(t.store, 'm1', ['a:1'], 10);
    await t.store.conversations.pauseConversation('a:1', 500);
    assert.deepEqual(await claim('w1', 100), []);
    assert.deepEqual(await claim('w1', 500), ['a:1']);
  });

  it('two workers claiming at once never get the same conversation', async () => {
    const ids = Array.from({ length: 40 }, (_, i) => `a:c${i}`);
    for (const id of ids) await t.store.conversations.upsertConversation(chat(id), 1);
    for (const [i, id] of ids.entries()) await dispatched(t.store, `m${i}`, [id], 10);
    const other = kind === 'sqlite' ? t.store : await t.database.open();
    try {
      const [a, b] = await Promise.all([
        other.deliveries.claimConversations({ holder: 'w1', now: 100, leaseMs: 1_000, limit: 25, skip: [], staleRootsBefore: 0 }),
        t.store.deliveries.claimConversations({ holder: 'w2', now: 100, leaseMs: 1_000, limit: 25, skip: [], staleRootsBefore: 0 }),
      ]);
      const mine = new Set(a.map((c) => c.conversation.id));
      assert.deepEqual(
        b.filter((c) => mine.has(c.conversation.id)),
        [],
      );
      assert.equal(a.length + b.length, 40);
    } finally {
      if (other !== t.store) await other.close();
    }
  });

  it("walks a delivery to delivered, with its slot and the room's thread, or through retries to dead", async () => {
    const eventId = await dispatched(t.store, 'm1', [channel.id, 'a:1'], 10);
    const [forChannel] = await t.store.deliveries.pendingDeliveriesFor(channel.id, 10);
    const [forChat] = await t.store.deliveries.pendingDeliveriesFor('a:1', 10);
    assert.equal(await t.store.deliveries.nextDueAt(9), 10);
    assert.equal(await t.store.deliveries.nextDueAt(10), null, 'work due at the last look is not reported again');
    await t.store.deliveries.markRetry(forChat.delivery.id, '503', 500, 12);
    assert.equal(await t.store.deliveries.nextDueAt(12), 500, 'a retry time is');
    await t.store.conversations.pauseConversation('a:1', 800);
    assert.equal(await t.store.deliveries.nextDueAt(500), 800, 'so is the end of a pause of a conversation with pending work');

    const answered = await slot(13);
    await t.store.deliveries.recordDelivered(
      {
        deliveryId: forChannel.delivery.id,
        activityId: 'act-1',
        via: 'post',
        request: answered,
        thread: { kind: 'start', conversationId: channel.id, roomId: 'room-1', rootActivityId: 'act-1', eventId },
      },
      14,
    );
    const [delivered] = await t.store.deliveries.listDeliveries({ state: 'delivered' }, 10);
    assert.deepEqual(
      [delivered.id, delivered.activityId, delivered.via, delivered.attempts, delivered.deliveredAt, delivered.claim],
      [forChannel.delivery.id, 'act-1', 'post', 1, 14, null],
    );
    assert.deepEqual(
      (await t.store.budget.slotsSince(0)).map((s) => s.answeredAt),
      [13],
      'the slot is answered in the same transaction',
    );
    const thread = await t.store.threads.getRoomThread(channel.id, 'room-1');
    assert.deepEqual(thread && [thread.rootActivityId, thread.rootEventId, thread.messageCount, thread.rootStale, thread.startedAt], [
      'act-1',
      eventId,
      1,
      false,
      14,
    ]);

    await t.store.deliveries.markShrink(forChat.delivery.id, '413', 600);
    await t.store.deliveries.markDead(forChat.delivery.id, '403 BotNotInConversationRoster', 700);
    const [dead] = await t.store.deliveries.listDeliveries({ state: 'dead' }, 10);
    assert.deepEqual([dead.attempts, dead.shrink, dead.lastError], [3, 1, '403 BotNotInConversationRoster']);
    assert.equal(await t.store.deliveries.nextDueAt(0), null);
    assert.deepEqual(
      (await t.store.deliveries.listDeliveries({ eventIds: [eventId] }, 10)).map((d) => d.state),
      ['delivered', 'dead'],
    );
  });

  it("marks a digest's deliveries delivered together, leaving ones finished meanwhile alone", async () => {
    await dispatched(t.store, 'm1', ['a:1']);
    await dispatched(t.store, 'm2', ['a:1']);
    const [one, two] = await t.store.deliveries.pendingDeliveriesFor('a:1', 10);
    await t.store.deliveries.markDead(two.delivery.id, 'x', 20);
    await t.store.deliveries.markDigested([one.delivery.id, two.delivery.id], 'digest-1', 30, await slot(29));
    assert.deepEqual(
      (await t.store.deliveries.listDeliveries({}, 10)).map((d) => [d.state, d.via, d.activityId]),
      [
        ['delivered', 'digest', 'digest-1'],
        ['dead', null, null],
      ],
    );
  });

  it('re-queues dead deliveries by id or all, from their first attempt', async () => {
    await dispatched(t.store, 'm1', ['a:1']);
    await dispatched(t.store, 'm2', ['a:2']);
    const [one, two] = await t.store.deliveries.listDeliveries({ state: 'pending' }, 10);
    await t.store.deliveries.markShrink(one.id, '413', 20);
    await t.store.deliveries.markDead(one.id, 'x', 20);
    await t.store.deliveries.markDead(two.id, 'x', 20);
    assert.equal(await t.store.deliveries.requeueDead([one.id, 12345], 30), 1);
    assert.deepEqual(
      (await t.store.deliveries.listDeliveries({ state: 'pending' }, 10)).map((d) => [d.id, d.attempts, d.shrink, d.nextAttemptAt]),
      [[one.id, 0, 0, 30]],
    );
    assert.equal(await t.store.deliveries.requeueDead(null, 40), 1);
    assert.equal(await t.store.deliveries.requeueDead(null, 50), 0);
  });

  it("one conversation's deliveries: newest first, with the event and its contact, by state; counts", async () => {
    await t.store.events.recordEvent({
      ...messageEvent('contact-1'),
      kind: 'contact',
      eventType: 'contact.update',
      contact: { id: 'c1', name: 'Ann', tags: ['VIP'], updatedAt: null, present: { name: true, tags: true } },
    });
    const { eventId: first } = await t.store.events.recordEvent(messageEvent('m1', { contactId: 'c1', roomId: 'r1', receivedAt: 5 }));
    const { eventId: second } = await t.store.events.recordEvent(messageEvent('m2', { roomId: 'r2' }));
    await t.store.deliveries.dispatchEvents(
      [
        {
          eventId: first,
          targets: [
            { conversationId: 'a:1', subscriptionIds: [1] },
            { conversationId: 'a:2', subscriptionIds: [1] },
          ],
        },
        { eventId: second, targets: [{ conversationId: 'a:1', subscriptionIds: [1] }] },
      ],
      10,
    );
    const [newest, oldest] = await t.store.deliveries.conversationDeliveries('a:1', null, 10);
    assert.deepEqual([newest.event.dataId, newest.contact, newest.delivery.conversationId], ['m2', null, 'a:1']);
    assert.deepEqual([oldest.event.dataId, oldest.event.roomId, oldest.event.receivedAt, oldest.contact?.name], ['m1', 'r1', 5, 'Ann']);
    await t.store.deliveries.markDead(oldest.delivery.id, 'x', 20);
    assert.deepEqual(
      (await t.store.deliveries.conversationDeliveries('a:1', 'dead', 10)).map((d) => d.delivery.id),
      [oldest.delivery.id],
    );
    assert.equal((await t.store.deliveries.conversationDeliveries('a:1', null, 1)).length, 1);
    assert.deepEqual(await t.store.deliveries.deliveryCounts('a:1'), { pending: 1, dead: 1 });
    assert.deepEqual(await t.store.deliveries.deliveryCounts('a:3'), { pending: 0, dead: 0 });
    assert.equal((await t.store.deliveries.conversationDelivery('a:1', oldest.delivery.id))?.state, 'dead');
    assert.equal(await t.store.deliveries.conversationDelivery('a:2', oldest.delivery.id), null, "another conversation's delivery");
  });

  it("re-queues one conversation's dead deliveries only, by id or all", async () => {
    await dispatched(t.store, 'm1', ['a:1', 'a:2']);
    await dispatched(t.store, 'm2', ['a:1']);
    const all = await t.store.deliveries.listDeliveries({}, 10);
    for (const d of all) await t.store.deliveries.markDead(d.id, 'x', 20);
    const [mine] = all.filter((d) => d.conversationId === 'a:1');
    const [theirs] = all.filter((d) => d.conversationId === 'a:2');
    assert.equal(await t.store.deliveries.requeueDeadOf('a:1', [theirs.id], 30), 0, "another conversation's delivery is left alone");
    assert.equal(await t.store.deliveries.requeueDeadOf('a:1', [mine.id], 30), 1);
    assert.deepEqual(await t.store.deliveries.deliveryCounts('a:1'), { pending: 1, dead: 1 });
    assert.equal(await t.store.deliveries.requeueDeadOf('a:1', null, 40), 1);
    assert.deepEqual(await t.store.deliveries.deliveryCounts('a:1'), { pending: 2, dead: 0 });
    assert.deepEqual(await t.store.deliveries.deliveryCounts('a:2'), { pending: 0, dead: 1 });
    assert.equal(await t.store.deliveries.requeueDeadOf('a:1', null, 50), 0);
  });

  it('threads: replies make the root stale; stale roots are claimed after the update interval, and brought up to date', async () => {
    const root = await dispatched(t.store, 'm1', [channel.id]);
    const reply = await dispatched(t.store, 'm2', [channel.id]);
    const [first, second] = await t.store.deliveries.pendingDeliveriesFor(channel.id, 10);
    await t.store.deliveries.recordDelivered(
      {
        deliveryId: first.delivery.id,
        activityId: 'root',
        via: 'post',
        request: await slot(20),
        thread: { kind: 'start', conversationId: channel.id, roomId: 'r', rootActivityId: 'root', eventId: root },
      },
      20,
    );
    await t.store.deliveries.recordDelivered(
      {
        deliveryId: second.delivery.id,
        activityId: 'reply',
        via: 'reply',
        request: await slot(30),
        thread: { kind: 'add', conversationId: channel.id, roomId: 'r', eventId: reply },
      },
      30,
    );
    const thread = await t.store.threads.getRoomThread(channel.id, 'r');
    assert.deepEqual(thread && [thread.messageCount, thread.latestEventId, thread.rootStale, thread.lastPostedAt, thread.rootUpdatedAt], [
      2,
      reply,
      true,
      30,
      20,
    ]);
    assert.deepEqual(await t.store.threads.staleRoomThreads(channel.id, 19), []);
    assert.equal((await t.store.threads.staleRoomThreads(channel.id, 20)).length, 1);
    assert.deepEqual(await claim('w1', 100, { staleRootsBefore: 19 }), []);
    assert.deepEqual(await claim('w1', 100, { staleRootsBefore: 20 }), [channel.id]);
    await t.store.threads.deferRootUpdate(channel.id, 'r', 200);
    assert.deepEqual(await t.store.threads.staleRoomThreads(channel.id, 100), [], 'deferred: looked at again after the interval');
    await t.store.threads.markRootUpdated(channel.id, 'r', 300);
    assert.deepEqual(await t.store.threads.staleRoomThreads(channel.id, 1_000), []);
    const third = await dispatched(t.store, 'm3', [channel.id]);
    const [next] = await t.store.deliveries.pendingDeliveriesFor(channel.id, 10);
    await t.store.deliveries.recordDelivered(
      {
        deliveryId: next.delivery.id,
        activityId: 'reply-2',
        via: 'reply',
        request: await slot(500),
        thread: { kind: 'add', conversationId: channel.id, roomId: 'r', eventId: third },
      },
      500,
    );
    await t.store.conversations.deactivateConversation(channel.id, 'gone', 600);
    assert.deepEqual(await claim('w2', 2_000, { staleRootsBefore: 1_000 }), [], "an inactive conversation's roots are left alone");
  });

  it('recording the same card twice (a write retried after its commit went unconfirmed) counts it once', async () => {
    const root = await dispatched(t.store, 'm1', [channel.id]);
    const reply = await dispatched(t.store, 'm2', [channel.id]);
    const [first, second] = await t.store.deliveries.pendingDeliveriesFor(channel.id, 10);
    const start = {
      deliveryId: first.delivery.id,
      activityId: 'root',
      via: 'post' as const,
      request: await slot(20),
      thread: { kind: 'start' as const, conversationId: channel.id, roomId: 'r', rootActivityId: 'root', eventId: root },
    };
    const add = {
      deliveryId: second.delivery.id,
      activityId: 'reply',
      via: 'reply' as const,
      request: await slot(30),
      thread: { kind: 'add' as const, conversationId: channel.id, roomId: 'r', eventId: reply },
    };
    await t.store.deliveries.recordDelivered(start, 20);
    await t.store.deliveries.recordDelivered(add, 30);
    await t.store.deliveries.recordDelivered(add, 31);
    await t.store.deliveries.recordDelivered({ ...start, activityId: 'root-again' }, 32);
    const thread = await t.store.threads.getRoomThread(channel.id, 'r');
    assert.deepEqual(thread && [thread.rootActivityId, thread.messageCount, thread.lastPostedAt], ['root', 2, 30]);
    const listed = await t.store.deliveries.listDeliveries({ conversationId: channel.id }, 10);
    assert.deepEqual(
      listed.map((d) => [d.state, d.attempts, d.activityId]),
      [
        ['delivered', 1, 'root'],
        ['delivered', 1, 'reply'],
      ],
    );
  });

  it('a new thread of the same room replaces the old one', async () => {
    const first = await dispatched(t.store, 'm1', [channel.id]);
    const later = await dispatched(t.store, 'm2', [channel.id]);
    const [a, b] = await t.store.deliveries.pendingDeliveriesFor(channel.id, 10);
    await t.store.deliveries.recordDelivered(
      {
        deliveryId: a.delivery.id,
        activityId: 'root-1',
        via: 'post',
        request: await slot(20),
        thread: { kind: 'start', conversationId: channel.id, roomId: 'r', rootActivityId: 'root-1', eventId: first },
      },
      20,
    );
    await t.store.deliveries.recordDelivered(
      {
        deliveryId: b.delivery.id,
        activityId: 'root-2',
        via: 'post',
        request: await slot(99_000),
        thread: { kind: 'start', conversationId: channel.id, roomId: 'r', rootActivityId: 'root-2', eventId: later },
      },
      99_000,
    );
    const thread = await t.store.threads.getRoomThread(channel.id, 'r');
    assert.deepEqual(thread && [thread.rootActivityId, thread.rootEventId, thread.messageCount, thread.startedAt], [
      'root-2',
      later,
      1,
      99_000,
    ]);
  });
});
