/**
 * Honest failure in delivery, from outside (signed webhooks over HTTP, the fake Bot Connector
 * counting requests, both stores): one unreadable or odd message never stops a channel's digests,
 * a 2xx from Teams is a delivery even without a usable body, and a failed digest counts an attempt
 * for each of its messages on its own.
 */
import assert from 'node:assert/strict';
import type { Delivery } from '../../src/store/store';
import { eachStore } from '../support/each-store';
import { type FakeConnector, type RecordedRequest, connectorErrors, startFakeConnector } from '../support/fake-connector';
import { messageEvent } from '../support/fixtures';
import { TEAM, TENANT, channelCommand } from '../support/teams-activities';
import { type TestApp, TestClock, startTestApp } from '../support/test-app';
import { cardTexts } from '../support/validate-card';
import { waitFor } from '../support/wait';

const SENDS = ['createConversation', 'sendToConversation', 'updateActivity'];

eachStore('delivery fails honestly and per message (real server, fake Bot Connector)', function (kind) {
  this.timeout(60_000);
  let connector: FakeConnector;
  let t: TestApp;
  let clock: TestClock;

  beforeEach(async () => {
    connector = await startFakeConnector();
    clock = new TestClock();
    t = await startTestApp({}, { store: kind, clock });
  });
  afterEach(async () => {
    await t.close();
    await connector.close();
  });

  async function subscribe(): Promise<void> {
    const activity = channelCommand({ serviceUrl: connector.url, channelId: TEAM, tenantId: TENANT }, 'subscribe whatsapp');
    assert.equal(await t.activity(activity), 200);
    await connector.waitForRequests((r) => r.route === 'replyToActivity' && r.urlActivityId === activity.id, 1, 5000);
  }

  const sends = (): RecordedRequest[] => connector.requests.filter((r) => SENDS.includes(r.route) && r.channelId === TEAM);
  const deliveries = async (): Promise<Delivery[]> => t.app.store.deliveries.listDeliveries({}, 1000);
  const byEvent = async (): Promise<Map<string, Delivery>> => {
    const events = new Map<number, string>();
    for (const d of await deliveries()) {
      const event = await t.app.store.events.getEvent(d.eventId);
      if (event) events.set(d.eventId, event.dataId);
    }
    return new Map((await deliveries()).map((d) => [events.get(d.eventId) ?? '', d]));
  };
  async function settled(count: number): Promise<Delivery[]> {
    return waitFor(
      async () => {
        const all = await deliveries();
        return all.length >= count && all.every((d) => d.state !== 'pending') ? all : undefined;
      },
      { timeoutMs: 20_000, what: `${count} deliveries delivered or dead` },
    );
  }
  async function goodWebhooks(prefix: string, count: number): Promise<void> {
    for (let i = 0; i < count; i++)
      assert.equal((await t.webhook(messageEvent({ id: `${prefix}-${i}`, roomId: `room-${prefix}-${i}` }))).status, 200);
  }
  /** An event as stored before identifiers were checked (or by an older version), dispatched like any other. */
  async function storeDirectly(dataId: string, payload: string, roomId: string, dispatch: boolean): Promise<void> {
    const { eventId } = await t.app.store.events.recordEvent({
      connectionId: 'default',
      eventType: 'message.inbound',
      dataId,
      kind: 'message',
      payload,
      receivedAt: clock.now(),
      roomId,
    });
    if (dispatch)
      await t.app.store.deliveries.dispatchEvents([{ eventId, targets: [{ conversationId: TEAM, subscriptionIds: [] }] }], clock.now());
  }
  /** Teams throttles the channel's first post for an hour (of the test clock): what follows queues up behind it. */
  async function pauseChannel(): Promise<void> {
    connector.respondWith({ ...connectorErrors.throttled(3600), match: { route: 'createConversation' } });
    await t.webhook(messageEvent({ id: 'first', roomId: 'room-first' }));
    await connector.waitForRequests({ route: 'createConversation' }, 1, 5000);
  }
  /** Once `count` deliveries are queued, ends the pause: they are all due at once. */
  async function resume(count: number): Promise<void> {
    await waitFor(async () => (await deliveries()).length >= count, { timeoutMs: 10_000, what: `${count} deliveries queued` });
    clock.advance(3_601_000);
  }

  it("a pending message whose room id cannot be URL-encoded does not stop the channel's digests", async () => {
    await subscribe();
    await pauseChannel();
    await goodWebhooks('before', 30);
    await storeDirectly('poison', JSON.stringify(messageEvent({ id: 'poison', roomId: '\ud800' })), '\ud800', false);
    await goodWebhooks('after', 10);
    await resume(42);
    const all = await settled(42);
    assert.equal(sends().length, 2, `the throttled first post, then one digest, not one post per message: ${sends().length} requests`);
    assert.ok(
      all.every((d) => d.state === 'delivered'),
      `all delivered (the odd one rendered safely): ${all
        .filter((d) => d.state !== 'delivered')
        .map((d) => d.lastError)
        .join(', ')}`,
    );
    const digest = connector.cards().find((c) => /^42 klink messages/.test(cardTexts(c.content)[0] ?? ''));
    assert.ok(digest, 'one digest stands for all 42 messages');
  });

  it('a message that cannot be read is dead-lettered on its own; the others still go out as one digest', async () => {
    await subscribe();
    await pauseChannel();
    await goodWebhooks('before', 10);
    await storeDirectly('unreadable', '{"event":"message.inbound","data":{"message":"private words"}} trailing', 'room-x', true);
    await goodWebhooks('after', 10);
    await resume(22);
    const all = await settled(22);
    const events = await byEvent();
    const unreadable = events.get('unreadable');
    assert.equal(unreadable?.state, 'dead');
    assert.equal(unreadable?.lastError, 'card: the stored message cannot be read (SyntaxError)');
    assert.ok(!t.logs.some((line) => line.includes('private words')), 'the message text is in no log line');
    assert.equal(all.filter((d) => d.state === 'delivered').length, 21);
    assert.equal(sends().length, 2, `the throttled first post, then one digest: ${sends().length} requests`);
  });

  it('a message that cannot be read, sent on its own, is dead-lettered and the channel carries on', async () => {
    await subscribe();
    await storeDirectly('unreadable', '{"event":"message.inbound","data":', 'room-x', true);
    await t.webhook(messageEvent({ id: 'next', roomId: 'room-next' }));
    await settled(2);
    const events = await byEvent();
    assert.equal(events.get('unreadable')?.state, 'dead');
    assert.equal(events.get('next')?.state, 'delivered');
    assert.equal(sends().length, 1);
  });

  it('a 2xx without a usable body (empty, not JSON) is delivered once, without a thread, and never posted again', async () => {
    await subscribe();
    connector.respondWith({ match: { route: 'createConversation' }, status: 201 });
    await t.webhook(messageEvent({ id: 'm1', roomId: 'room-a' }));
    await settled(1);
    connector.respondWith({
      match: { route: 'createConversation' },
      status: 201,
      body: 'accepted',
      headers: { 'Content-Type': 'text/plain' },
    });
    await t.webhook(messageEvent({ id: 'm2', roomId: 'room-a' }));
    const all = await settled(2);
    // m2 could not reply in m1's thread: Teams named none. Each went out as one post, once.
    assert.deepEqual(
      sends().map((r) => r.route),
      ['createConversation', 'createConversation'],
    );
    for (const d of all) {
      assert.equal(d.state, 'delivered');
      assert.equal(d.activityId, null, 'no activity id was answered');
      assert.equal(d.attempts, 1);
    }
    await t.webhook(messageEvent({ id: 'm3', roomId: 'room-a' }));
    await settled(3);
    assert.deepEqual(
      sends().map((r) => r.route),
      ['createConversation', 'createConversation', 'createConversation'],
    );
  });

  it('a failed digest counts an attempt for each message on its own: only the one whose attempts are exhausted is dead-lettered', async () => {
    await subscribe();
    // Eight failures: the old message's first six alone, then two digests of all eleven.
    connector.respondWith({ ...connectorErrors.serverError(500), match: { route: 'createConversation' }, times: 8 });
    await t.webhook(messageEvent({ id: 'old', roomId: 'room-old' }));
    const attemptsOfOld = async () => (await byEvent()).get('old')?.attempts ?? 0;
    for (let attempts = 1; attempts <= 6; attempts++) {
      await waitFor(async () => (await attemptsOfOld()) >= attempts, { timeoutMs: 10_000, what: `attempt ${attempts} of the old message` });
      if (attempts < 6) clock.advance(10 * 60_000);
    }
    await goodWebhooks('new', 10);
    // Two digests of all eleven fail: the old message's 7th and 8th attempts, the new ones' 1st and 2nd.
    for (let digests = 1; digests <= 2; digests++) {
      clock.advance(10 * 60_000);
      await waitFor(async () => (await attemptsOfOld()) >= 6 + digests, { timeoutMs: 10_000, what: `digest ${digests} to fail` });
    }
    clock.advance(10 * 60_000);
    const all = await settled(11);
    const events = await byEvent();
    const old = events.get('old');
    assert.equal(old?.state, 'dead');
    assert.equal(old?.attempts, 8);
    assert.match(old?.lastError ?? '', /after 8 attempts/);
    const fresh = all.filter((d) => d.id !== old?.id);
    assert.equal(fresh.length, 10);
    for (const d of fresh) {
      assert.equal(d.state, 'delivered', `delivery ${d.id}: ${d.lastError}`);
      assert.equal(d.attempts, 3, 'two failed digests and the one that went out');
    }
  });
});
