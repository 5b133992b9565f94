/**
 * Delivery under Teams' rules, proven with the fake Bot Connector's own request timestamps:
 * pacing windows, threads per klink room, digests, 429 / 413 / 401 / slow conversations,
 * root card updates, and the buttons on the card.
 */
import assert from 'node:assert/strict';
import sinon from 'sinon';
import { CONVERSATION_WINDOWS, TENANT_WINDOWS } from '../../src/store/budget';
import { type FakeConnector, type RecordedRequest, connectorErrors, startFakeConnector } from '../support/fake-connector';
import { contactEvent, messageEvent } from '../support/fixtures';
import { maxInWindow } from '../support/rate-windows';
import { BOT, TEAM, TENANT, channelCommand } from '../support/teams-activities';
import { type TestApp, TestClock, startTestApp } from '../support/test-app';
import { eachStore } from '../support/each-store';
import { assertValidCard, cardTexts } from '../support/validate-card';
import { waitFor } from '../support/wait';

/** What delivery sends (the bot's answers to commands are replies to the command, not counted here). */
const SENDS = ['createConversation', 'sendToConversation', 'updateActivity'] as const;

eachStore('delivery under Teams rules (real server, fake Bot Connector)', function (kind) {
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

  async function subscribe(channelId: string, filters = 'whatsapp', tenantId = TENANT): Promise<void> {
    const activity = channelCommand({ serviceUrl: connector.url, channelId, tenantId }, `subscribe ${filters}`);
    assert.equal(await t.activity(activity), 200);
    await connector.waitForRequests((r) => r.route === 'replyToActivity' && r.urlActivityId === activity.id, 1, 5000);
  }

  const sendsTo = (channelId: string): RecordedRequest[] =>
    connector.requests.filter((r) => (SENDS as readonly string[]).includes(r.route) && r.channelId === channelId);

  async function allDelivered(count: number, timeoutMs = 30_000): Promise<void> {
    await waitFor(async () => (await t.app.store.deliveries.listDeliveries({ state: 'delivered' }, 10_000)).length >= count, {
      timeoutMs,
      what: `${count} deliveries delivered`,
    });
  }

  /** An idle check that never comes within a test: whatever goes out was woken by something else. */
  const NO_IDLE_CHECK_MS = 3_600_000;

  it('threads a klink room: the first message starts a thread, later ones reply in it, another room starts its own', async () => {
    await subscribe(TEAM);
    await t.webhook(messageEvent({ id: 'm1', roomId: 'room-a' }));
    await allDelivered(1);
    await t.webhook(messageEvent({ id: 'm2', roomId: 'room-a' }));
    await t.webhook(messageEvent({ id: 'm3', roomId: 'room-b' }));
    await allDelivered(3);
    const [root, ...rest] = sendsTo(TEAM);
    assert.equal(root.route, 'createConversation');
    const threadA = root.conversationId;
    const replies = connector.requests.filter((r) => r.route === 'sendToConversation' && r.conversationId === threadA);
    assert.equal(replies.length, 1, "m2 replied in room-a's thread");
    assert.ok(
      rest.some((r) => r.route === 'createConversation' && r.conversationId !== threadA),
      'room-b started a thread of its own',
    );
    const deliveries = await t.app.store.deliveries.listDeliveries({}, 10);
    assert.deepEqual(
      deliveries.map((d) => d.via),
      ['post', 'reply', 'post'],
    );
  });

  it("starts a new thread when the room's thread is older than the thread window", async () => {
    await subscribe(TEAM);
    await t.webhook(messageEvent({ id: 'm1', roomId: 'room-a' }));
    await allDelivered(1);
    clock.advance(25 * 3_600_000);
    await t.webhook(messageEvent({ id: 'm2', roomId: 'room-a' }));
    await allDelivered(2);
    assert.deepEqual(
      sendsTo(TEAM).map((r) => r.route),
      ['createConversation', 'createConversation'],
    );
  });

  it('brings the thread root card up to date with spare budget (latest message, count)', async () => {
    await subscribe(TEAM);
    await t.webhook(messageEvent({ id: 'm1', roomId: 'room-a', text: 'first question' }));
    await allDelivered(1);
    await t.webhook(messageEvent({ id: 'm2', roomId: 'room-a', text: 'second question' }));
    await allDelivered(2);
    assert.equal(connector.requests.filter((r) => r.route === 'updateActivity').length, 0, 'not at once: at most once a minute');
    clock.advance(61_000);
    const [update] = await connector.waitForRequests((r) => r.route === 'updateActivity', 1, 5000);
    const card = update.activity?.attachments?.[0]?.content;
    assertValidCard(card);
    const texts = cardTexts(card).join(' | ');
    assert.match(texts, /2 messages in this klink conversation/);
    assert.match(texts, /second question/);
    assert.match(texts, /first question/);
  });

  it("a message that arrives while its channel's turn is still busy goes out when the turn ends, not at the next idle check", async () => {
    await t.close();
    t = await startTestApp({}, { store: kind, clock, idleCheckMs: NO_IDLE_CHECK_MS });
    await subscribe(TEAM);
    await t.webhook(messageEvent({ id: 'm1', roomId: 'room-a' }));
    await allDelivered(1);
    clock.advance(61_000);
    // The turn for m2 replies, finds its queue empty, then brings the root card up to date:
    // m3 arrives while that update is under way.
    connector.respondWith({ match: { route: 'updateActivity' }, delayMs: 1_500 });
    await t.webhook(messageEvent({ id: 'm2', roomId: 'room-a' }));
    await waitFor(() => connector.requests.some((r) => r.route === 'updateActivity'), {
      timeoutMs: 5000,
      what: 'the root update under way',
    });
    await t.webhook(messageEvent({ id: 'm3', roomId: 'room-a' }));
    // With no idle check to fall back on, only the end of the busy turn can send m3.
    await allDelivered(3);
  });

  it('work another process writes to the store (a re-queued dead letter, another instance) is picked up at once, even during a long fan-out', async () => {
    await t.close();
    t = await startTestApp({}, { store: kind, clock, idleCheckMs: NO_IDLE_CHECK_MS });
    // 100 channels in one tenant: two waves of 50, a second apart.
    const busy = Array.from({ length: 100 }, (_, i) => `19:busy-${i}@thread.tacv2`);
    for (const channel of busy) await subscribe(channel);
    const quiet = '19:quiet@thread.tacv2';
    await subscribe(quiet, 'whatsapp', 'tenant-quiet');
    connector.reset();
    await t.webhook(messageEvent({ id: 'fan' }));
    await connector.waitForRequests({ channelId: quiet }, 1, 5000);
    // The first wave (and the quiet channel's card) recorded: the worker now waits for the tenant's window.
    await allDelivered(TENANT_WINDOWS[0].limit + 1, 5000);
    // Written straight to the store, as another instance would: the store tells every worker, no kick needed.
    const { store } = t.app;
    const body = messageEvent({ id: 'direct', roomId: 'room-direct' });
    const { eventId } = await store.events.recordEvent({
      connectionId: 'default',
      eventType: 'message.inbound',
      dataId: 'direct',
      kind: 'message',
      payload: JSON.stringify(body),
      receivedAt: clock.now(),
      roomId: 'room-direct',
    });
    await store.deliveries.dispatchEvents([{ eventId, targets: [{ conversationId: quiet, subscriptionIds: [] }] }], clock.now());
    const [, second] = await connector.waitForRequests({ channelId: quiet }, 2, 10_000);
    await allDelivered(102);
    // No idle check: without the store's signal the worker would first look again when the
    // tenant's window lets the second wave go.
    const wave = connector.requests.filter((r) => r.channelId?.startsWith('19:busy-')).sort((a, b) => a.seq - b.seq);
    assert.equal(wave.length, 100);
    assert.ok(second.seq < wave[TENANT_WINDOWS[0].limit].seq, "picked up before the fan-out's second wave");
  });

  it('a store that keeps failing is tried again at the idle check, not in a tight loop', async () => {
    const sandbox = sinon.createSandbox();
    try {
      await t.close();
      const idleCheckMs = 300;
      t = await startTestApp({}, { store: kind, clock, idleCheckMs });
      const triedAt: number[] = [];
      const failing = sandbox.stub(t.app.store.deliveries, 'undispatchedEvents').callsFake(async () => {
        triedAt.push(Date.now());
        throw new Error('SQLITE_FULL: database or disk is full');
      });
      // Three tries: a slow machine only spaces them further apart, a tight loop packs them together.
      await waitFor(() => failing.callCount >= 3, { timeoutMs: 10_000, what: 'three tries of the failing store' });
      const [first, second, third] = triedAt;
      // A timer may fire a millisecond early by Date.now(); a tight loop would be ~0 ms apart.
      for (const gap of [second - first, third - second]) {
        assert.ok(
          gap >= idleCheckMs - 20,
          `tries ${gap} ms apart (idle check ${idleCheckMs} ms): ${triedAt.map((at) => at - first).join(', ')}`,
        );
      }
      const errors = t.logs.filter((line) => line.includes('delivery pass failed'));
      assert.ok(errors.length <= failing.callCount, `${errors.length} error lines for ${failing.callCount} tries`);
    } finally {
      sandbox.restore();
    }
  });

  it("a burst of 500 messages for one channel never exceeds Teams' windows and every message reaches Teams in a card or digest", async () => {
    await subscribe(TEAM);
    const bodies = Array.from({ length: 500 }, (_, i) => messageEvent({ id: `burst-${i}`, roomId: `room-${i % 40}` }));
    for (let i = 0; i < bodies.length; i += 50) {
      const answers = await Promise.all(bodies.slice(i, i + 50).map((b) => t.webhook(b)));
      assert.ok(answers.every((a) => a.status === 200));
    }
    await allDelivered(500);
    const requests = sendsTo(TEAM);
    const times = requests.map((r) => r.receivedAt);
    for (const { limit, ms } of CONVERSATION_WINDOWS) {
      assert.ok(maxInWindow(times, ms) <= limit, `${maxInWindow(times, ms)} requests in ${ms} ms (limit ${limit})`);
    }
    const deliveries = await t.app.store.deliveries.listDeliveries({}, 1000);
    assert.equal(deliveries.length, 500);
    const answered = new Set(requests.map((r) => r.activityId));
    for (const d of deliveries) {
      assert.equal(d.state, 'delivered');
      assert.ok(d.activityId !== null && answered.has(d.activityId), `delivery ${d.id} points at a post Teams accepted`);
    }
    const digests = deliveries.filter((d) => d.via === 'digest');
    assert.ok(digests.length > 400, `most of the burst went into digests (${digests.length})`);
    const digestCards = connector
      .cards()
      .filter((c) => cardTexts(c.content).some((text) => /klink messages in \d+ conversations/.test(text)));
    const counted = digestCards.reduce((n, c) => n + Number(/^(\d+) klink messages/.exec(cardTexts(c.content)[0])?.[1] ?? 0), 0);
    assert.equal(counted, digests.length, "the digests' own counts add up to the messages they stand for");
    for (const c of digestCards) assertValidCard(c.content);
  });

  it("counts the bot's answers to commands against the channel too: with a burst under way, cards and answers together stay within Teams' windows", async () => {
    await subscribe(TEAM);
    connector.reset();
    // Waves of three messages, each sent once the last wave has reached Teams (so every wave costs
    // at least one request), a command after each of the first four.
    const commands = [];
    const sent = () => connector.requests.filter((r) => r.channelId === TEAM).length;
    for (let wave = 0; wave < 12; wave++) {
      const before = sent();
      const bodies = Array.from({ length: 3 }, (_, i) => messageEvent({ id: `busy-${wave}-${i}`, roomId: `room-${wave}-${i}` }));
      assert.ok((await Promise.all(bodies.map((b) => t.webhook(b)))).every((a) => a.status === 200));
      await waitFor(() => sent() > before, { timeoutMs: 5_000, what: `wave ${wave} to reach Teams` });
      if (wave < 4) {
        const command = channelCommand({ serviceUrl: connector.url, channelId: TEAM, tenantId: TENANT }, 'subscriptions');
        commands.push(command);
        assert.equal(await t.activity(command), 200);
      }
    }
    await allDelivered(36);
    for (const command of commands) {
      assert.ok(
        connector.requests.some((r) => r.route === 'replyToActivity' && r.urlActivityId === command.id),
        'every command was answered',
      );
    }
    const times = connector.requests.filter((r) => r.channelId === TEAM).map((r) => r.receivedAt);
    assert.ok(times.length > CONVERSATION_WINDOWS[1].limit, `${times.length} requests: enough to press against the windows`);
    for (const { limit, ms } of CONVERSATION_WINDOWS) {
      assert.ok(maxInWindow(times, ms) <= limit, `${maxInWindow(times, ms)} requests (cards and answers) in ${ms} ms (limit ${limit})`);
    }
  });

  it('keeps every tenant within 50 requests per second when fanning out', async () => {
    const channels = Array.from({ length: 70 }, (_, i) => `19:fan-${i}@thread.tacv2`);
    for (const channel of channels) await subscribe(channel);
    connector.reset();
    await t.webhook(messageEvent({ id: 'fan-1' }));
    await allDelivered(70);
    const times = connector.requests.filter((r) => r.route === 'createConversation').map((r) => r.receivedAt);
    assert.equal(times.length, 70);
    assert.ok(maxInWindow(times, TENANT_WINDOWS[0].ms) <= TENANT_WINDOWS[0].limit, `${maxInWindow(times, 1000)} in 1 s`);
  });

  it("conversations waiting on their tenant's budget are woken at their time, without polling the store meanwhile", async () => {
    const sandbox = sinon.createSandbox();
    try {
      await t.close();
      t = await startTestApp({}, { store: kind, clock, idleCheckMs: NO_IDLE_CHECK_MS });
      const channels = Array.from({ length: 60 }, (_, i) => `19:wait-${i}@thread.tacv2`);
      for (const channel of channels) await subscribe(channel);
      connector.reset();
      const looks = sandbox.spy(t.app.store.deliveries, 'claimConversations');
      await t.webhook(messageEvent({ id: 'wait-1' }));
      await allDelivered(60);
      const times = connector.requests
        .filter((r) => r.route === 'createConversation')
        .map((r) => r.receivedAt)
        .sort((a, b) => a - b);
      assert.equal(times.length, 60);
      const waitedMs = times[59] - times[0];
      assert.ok(waitedMs >= 1000, `the last 10 waited for the tenant's 1 s window (${waitedMs} ms)`);
      // With no idle check, only the wake-up at the window's end could send the last 10 (within
      // allDelivered's bound); a few looks serve the webhook and the wake-up, however slow the
      // machine: a loop that polled while the 10 waited would look hundreds of times.
      assert.ok(looks.callCount <= 10, `${looks.callCount} looks at the store for due conversations`);
    } finally {
      sandbox.restore();
    }
  });

  it('429: no request to that conversation before Retry-After, other conversations carry on', async () => {
    const other = '19:other@thread.tacv2';
    await subscribe(TEAM);
    await subscribe(other);
    connector.respondWith({ ...connectorErrors.throttled(2), match: { route: 'createConversation', channelId: TEAM } });
    await t.webhook(messageEvent({ id: 'm1', roomId: 'room-a' }));
    const [otherCard] = await connector.waitForRequests(
      (r) => r.route === 'createConversation' && r.channelId === other && r.response?.status === 201,
      1,
      5000,
    );
    await allDelivered(2);
    const [throttled, retried] = sendsTo(TEAM);
    assert.equal(throttled.response?.status, 429);
    assert.ok(retried.receivedAt - throttled.receivedAt >= 2000, `retried after ${retried.receivedAt - throttled.receivedAt} ms`);
    assert.ok(otherCard.seq < retried.seq, 'the other channel was served while this one waited out Retry-After');
  });

  it('keeps the order of a room: a message that must be retried is not overtaken by a later one', async () => {
    await subscribe(TEAM);
    connector.respondWith({ ...connectorErrors.serverError(503), match: { route: 'createConversation' } });
    await t.webhook(messageEvent({ id: 'first', roomId: 'room-a', text: 'first' }));
    await waitFor(async () => (await t.app.store.deliveries.listDeliveries({}, 10))[0]?.attempts === 1, {
      timeoutMs: 5000,
      what: 'a failed first attempt',
    });
    await t.webhook(messageEvent({ id: 'second', roomId: 'room-a', text: 'second' }));
    await allDelivered(2);
    const [failed, root, reply] = sendsTo(TEAM);
    assert.equal(failed.response?.status, 503);
    assert.equal(root.route, 'createConversation');
    assert.match(JSON.stringify(root.body), /first/, 'the first message starts the thread');
    assert.equal(reply.route, 'sendToConversation');
    assert.match(JSON.stringify(reply.body), /second/);
  });

  it('a 429 is not a failed attempt: it pauses the conversation and leaves the delivery as it was', async () => {
    await subscribe(TEAM);
    connector.respondWith({ ...connectorErrors.throttled(1), match: { route: 'createConversation' } });
    await t.webhook(messageEvent({ id: 'm1' }));
    await allDelivered(1);
    const [delivery] = await t.app.store.deliveries.listDeliveries({}, 1);
    assert.equal(delivery.attempts, 1, 'only the successful attempt counts');
  });

  it('a card button cannot reveal a message that was not posted in its conversation', async () => {
    await subscribe(TEAM);
    await t.webhook(messageEvent({ id: 'secret-elsewhere', channelType: 'messenger', text: 'private text of another channel' }));
    await waitFor(async () => (await t.app.store.deliveries.undispatchedEvents(1)).length === 0, { timeoutMs: 5000, what: 'dispatch' });
    const response = await invoke(TEAM, 'x', 'muteRoom', { roomId: 'room-x', eventId: '1', muteFor: '3600000' });
    assert.equal(response.statusCode, 200);
    assert.ok(!JSON.stringify(response.value).includes('private text'), 'the event text is not shown');
    assert.match(cardTexts(response.value).join(' '), /Muted here until/);
  });

  it('a slow conversation does not hold up the others', async () => {
    const fast = '19:fast@thread.tacv2';
    await subscribe(TEAM);
    await subscribe(fast);
    connector.respondWith({ match: { route: 'createConversation', channelId: TEAM }, delayMs: 3000 });
    await t.webhook(messageEvent({ id: 'm1' }));
    await waitFor(() => sendsTo(TEAM).length === 1, { timeoutMs: 5000, what: "the slow channel's card under way" });
    await connector.waitForRequests((r) => r.channelId === fast && r.response?.status === 201, 1, 5000);
    assert.equal(sendsTo(TEAM)[0].response, undefined, 'the fast channel was served while the slow one still waited for Teams');
    await allDelivered(2);
  });

  it('shutting down finishes the request under way, sends nothing more, and hands the rest to the next instance at once', async () => {
    await subscribe(TEAM);
    connector.respondWith({ match: { route: 'createConversation', channelId: TEAM }, delayMs: 1_000 });
    for (const id of ['m1', 'm2', 'm3']) await t.webhook(messageEvent({ id, roomId: `room-${id}` }));
    await waitFor(() => sendsTo(TEAM).length > 0, { timeoutMs: 5000, what: 'the first card under way' });
    await t.close({ keepDatabase: true });
    assert.equal(sendsTo(TEAM).length, 1, 'no request after shutdown began');
    assert.ok(sendsTo(TEAM)[0].response?.status === 201, 'the request under way was answered');
    const store = await t.database.open();
    const left = await store.deliveries.listDeliveries({ state: 'pending' }, 10);
    await store.close();
    assert.deepEqual(
      left.map((d) => d.claim),
      [null, null],
      'the rest is pending and claimed by nobody',
    );
    const next = await startTestApp({}, { database: t.database, clock });
    t = next;
    const [first] = await t.app.store.deliveries.listDeliveries({ state: 'delivered' }, 10);
    assert.equal(first?.eventId, 1, 'the card Teams took is recorded as delivered');
    // Within half the 30 s claim lease: the claims were given up, not left to expire.
    await allDelivered(3, 15_000);
    assert.equal(sendsTo(TEAM).length, 3, 'each card sent once');
  });

  it('413: sends a smaller card instead of the same one again', async () => {
    await subscribe(TEAM);
    connector.respondWith({ ...connectorErrors.tooLarge(), match: { route: 'createConversation' } });
    await t.webhook(messageEvent({ id: 'long', text: 'word '.repeat(2000) }));
    await allDelivered(1);
    const [refused, smaller] = sendsTo(TEAM);
    assert.equal(refused.response?.status, 413);
    assert.ok(JSON.stringify(smaller.body).length < JSON.stringify(refused.body).length - 500, 'the second card is smaller');
  });

  it('412 / 5xx / connection errors: retried with backoff, then delivered', async () => {
    await subscribe(TEAM);
    connector.respondWith({ ...connectorErrors.preconditionFailed(), match: { route: 'createConversation' } });
    connector.respondWith({ ...connectorErrors.serverError(502), match: { route: 'createConversation' } });
    await t.webhook(messageEvent({ id: 'm1' }));
    await allDelivered(1);
    const statuses = sendsTo(TEAM).map((r) => r.response?.status);
    assert.deepEqual(statuses, [412, 502, 201]);
    const [delivery] = await t.app.store.deliveries.listDeliveries({}, 1);
    assert.equal(delivery.attempts, 3);
  });

  it('a delivery Teams refuses for good is dead-lettered and shows up in @klink subscriptions', async () => {
    await subscribe(TEAM);
    connector.respondWith({
      status: 400,
      body: { error: { code: 'BadArgument', message: 'bad' } },
      match: { route: 'createConversation' },
    });
    await t.webhook(messageEvent({ id: 'm1' }));
    await waitFor(async () => (await t.app.store.deliveries.listDeliveries({ state: 'dead' }, 10))[0], {
      timeoutMs: 5000,
      what: 'dead letter',
    });
    const activity = channelCommand({ serviceUrl: connector.url }, 'subscriptions');
    assert.equal(await t.activity(activity), 200);
    const [reply] = await connector.waitForRequests((r) => r.route === 'replyToActivity' && r.urlActivityId === activity.id, 1, 5000);
    const texts = cardTexts(reply.activity?.attachments?.[0]?.content).join(' ');
    assert.match(texts, /1 klink message could not be posted here \(last error: 400 BadArgument\)/);
    assert.match(texts, /npm run deliveries -- retry/);
  });

  it('401: stops sending, keeps the work, and reports a configuration problem on /readyz', async () => {
    await subscribe(TEAM);
    connector.respondWith({ ...connectorErrors.botNotRegistered(), match: { route: 'createConversation' }, times: Infinity });
    await t.webhook(messageEvent({ id: 'm1' }));
    await waitFor(async () => (await fetch(`${t.url}/readyz`)).status === 503, { timeoutMs: 5000, what: '/readyz to fail' });
    const readiness = (await (await fetch(`${t.url}/readyz`)).json()) as { error: string };
    assert.match(readiness.error, /credentials/);
    await t.webhook(messageEvent({ id: 'm2', roomId: 'room-2' }));
    await waitFor(async () => (await t.app.store.deliveries.undispatchedEvents(1)).length === 0, { timeoutMs: 5000, what: 'dispatch' });
    assert.equal(sendsTo(TEAM).length, 1, 'no further requests while the credentials are rejected');
    const deliveries = await t.app.store.deliveries.listDeliveries({}, 10);
    assert.deepEqual(
      deliveries.map((d) => d.state),
      ['pending', 'pending'],
    );
    assert.ok(t.logs.filter((line) => line.includes('Teams rejected the bot credentials')).length === 1, 'logged once');
  });

  it('"Mute this room" on the card stops that room here for the chosen time and confirms in place', async () => {
    await subscribe(TEAM);
    await t.webhook(contactEvent('050823aa-8443-4fed-9951-f58d3b18c4eb', ['VIP'], 'Aung Aung'));
    await t.webhook(messageEvent({ id: 'm1', roomId: 'room-a' }));
    await allDelivered(1);
    const [post] = sendsTo(TEAM);
    const card = post.activity?.attachments?.[0]?.content as {
      actions: Array<{ type: string; card?: { actions: Array<{ verb: string; data: Record<string, string> }> } }>;
    };
    const mute = card.actions.find((a) => a.type === 'Action.ShowCard')?.card?.actions[0];
    assert.ok(mute);
    const response = await invoke(post.conversationId ?? TEAM, post.activityId ?? '', mute.verb, { ...mute.data, muteFor: '3600000' });
    assert.equal(response.statusCode, 200);
    assertValidCard(response.value);
    assert.match(cardTexts(response.value).join(' '), /Muted here until .* by Mia Agent/);
    assert.ok(cardTexts(response.value).includes('Aung Aung'), 'the card keeps its content');

    await t.webhook(messageEvent({ id: 'm2', roomId: 'room-a' }));
    await t.webhook(messageEvent({ id: 'm3', roomId: 'room-b' }));
    await allDelivered(2);
    await waitFor(async () => (await t.app.store.deliveries.undispatchedEvents(1)).length === 0, { timeoutMs: 5000, what: 'dispatch' });
    const deliveries = await t.app.store.deliveries.listDeliveries({}, 10);
    assert.equal(deliveries.length, 2, "the muted room's message was not posted");
    clock.advance(3_600_001);
    await t.webhook(messageEvent({ id: 'm4', roomId: 'room-a' }));
    await allDelivered(3);
  });

  it('"Unsubscribe" on the card removes the subscriptions that matched and confirms in place', async () => {
    await subscribe(TEAM, 'whatsapp');
    await subscribe(TEAM, 'group');
    await subscribe(TEAM, 'messenger');
    await t.webhook(messageEvent({ id: 'm1' }));
    await allDelivered(1);
    const [post] = sendsTo(TEAM);
    const card = post.activity?.attachments?.[0]?.content as {
      actions: Array<{ type: string; verb?: string; data?: Record<string, string> }>;
    };
    const unsubscribe = card.actions.find((a) => a.verb === 'unsubscribe');
    assert.ok(unsubscribe?.data);
    const response = await invoke(post.conversationId ?? TEAM, post.activityId ?? '', 'unsubscribe', unsubscribe.data);
    assert.equal(response.statusCode, 200);
    assert.match(cardTexts(response.value).join(' '), /Unsubscribed by Mia Agent: "whatsapp", "group"/);
    assert.deepEqual(
      (await t.app.store.conversations.listSubscriptions(TEAM)).map((s) => s.filters.channels),
      [['messenger']],
    );
  });

  /** Sends an Action.Execute invoke the way Teams does and returns the bot's invoke response. */
  async function invoke(conversationId: string, replyToId: string, verb: string, data: Record<string, string>) {
    const response = await fetch(`${t.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'invoke',
        name: 'adaptiveCard/action',
        id: `inv-${verb}`,
        channelId: 'msteams',
        serviceUrl: connector.url,
        from: { id: '29:user-1', name: 'Mia Agent', aadObjectId: 'aad-user-1' },
        recipient: BOT,
        replyToId,
        conversation: { id: conversationId, conversationType: 'channel', isGroup: true, tenantId: TENANT },
        channelData: { team: { id: TEAM }, channel: { id: TEAM }, tenant: { id: TENANT } },
        value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
      }),
    });
    assert.equal(response.status, 200);
    return (await response.json()) as { statusCode: number; value: unknown };
  }
});
