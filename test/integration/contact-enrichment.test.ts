/**
 * Contact enrichment through the real server, on each store: messages of contacts no contact.*
 * webhook told of get name and tags from klink's API (a fake klink API over HTTP) before they are
 * matched, within a short wait; the fake Bot Connector shows what Teams would.
 */
import assert from 'node:assert/strict';
import { type FakeConnector, type RecordedCard, startFakeConnector } from '../support/fake-connector';
import { FAKE_KLINK_TOKEN, type FakeKlinkApi, startFakeKlinkApi } from '../support/fake-klink-api';
import { contactEvent, messageEvent } from '../support/fixtures';
import { channelCommand } from '../support/teams-activities';
import { TestClock, type TestApp, startTestApp } from '../support/test-app';
import { eachStore } from '../support/each-store';
import { cardTexts } from '../support/validate-card';
import { waitFor } from '../support/wait';

const WAIT_MS = 300;

eachStore('contact enrichment from klink API (real server, fake klink API, fake Bot Connector)', (kind) => {
  let connector: FakeConnector;
  let api: FakeKlinkApi;
  let t: TestApp | null;
  let clock: TestClock;

  beforeEach(async () => {
    connector = await startFakeConnector();
    api = await startFakeKlinkApi();
    clock = new TestClock();
    t = null;
  });
  afterEach(async () => {
    api.release();
    await t?.close();
    await api.close();
    await connector.close();
  });

  async function start(env: Record<string, string> = { KLINK_API_TOKEN: FAKE_KLINK_TOKEN }): Promise<TestApp> {
    t = await startTestApp({ KLINK_API_BASE_URL: api.baseUrl, KLINK_CONTACT_WAIT_MS: String(WAIT_MS), ...env }, { store: kind, clock });
    return t;
  }

  async function subscribe(app: TestApp, filters: string, channelId?: string): Promise<void> {
    const activity = channelCommand({ serviceUrl: connector.url, channelId }, `subscribe ${filters}`);
    assert.equal(await app.activity(activity), 200);
    await connector.waitForRequests((r) => r.route === 'replyToActivity' && r.urlActivityId === activity.id, 1, 5000);
  }

  /** Sends a WhatsApp message of `contactId` in a room of its own (so each card is a new post). */
  async function message(app: TestApp, id: string, contactId: string, channelType = 'whatsapp'): Promise<void> {
    const { status } = await app.webhook(messageEvent({ id, contactId, roomId: `room-${id}`, channelType }));
    assert.equal(status, 200);
  }

  /** The card posted for klink message `id` (its Open in klink link names the message). */
  async function cardOf(id: string, timeoutMs = 5000): Promise<RecordedCard> {
    const find = () =>
      connector
        .cards({ route: 'createConversation' })
        .find((c) => JSON.stringify((c.content as { actions?: unknown[] }).actions?.[0] ?? null).includes(`message=${id}`));
    return waitFor(find, { timeoutMs, what: `the card of message ${id}` });
  }

  const texts = async (id: string) => cardTexts((await cardOf(id)).content);
  const lookupsOf = (contactId: string) => api.requestsTo('GET', `/api/v1/contacts/${contactId}`);
  const logLines = (app: TestApp, pattern: RegExp) =>
    app.logs.map((line) => JSON.parse(line) as { level: number; msg: string }).filter((l) => pattern.test(l.msg));
  const outcomes = async (app: TestApp): Promise<Record<string, number>> =>
    Object.fromEntries((await app.app.metrics.contactLookups.get()).values.map((v) => [String(v.labels.outcome), v.value]));

  it("matches a vip subscription with a contact known only to klink's API; the card shows the API's name and the VIP badge", async () => {
    const app = await start();
    api.contacts.set('api-only', { id: 'api-only', name: 'Daw Hla', tags: [{ id: 't1', name: 'VIP' }], company: { name: 'Acme' } });
    await subscribe(app, 'whatsapp vip');
    await message(app, 'm1', 'api-only');
    const card = await texts('m1');
    assert.ok(card.includes('Daw Hla'), card.join(' | '));
    assert.ok(card.includes('VIP'), card.join(' | '));
    const [request] = lookupsOf('api-only');
    assert.equal(request.headers.authorization, `Bearer ${FAKE_KLINK_TOKEN}`);
    const known = (await app.app.store.contacts.knowledge(['api-only'])).get('api-only');
    assert.equal(known?.source, 'api', 'stored as fetched from the API');
    assert.deepEqual(await outcomes(app), { found: 1 });
    assert.ok(!app.logs.some((line) => line.includes('Daw Hla')), 'the contact name is never logged');
  });

  it('without an API token nothing is looked up: the card shows "Unknown contact" as before', async () => {
    const app = await start({});
    api.contacts.set('api-only', { name: 'Daw Hla', tags: [{ name: 'VIP' }] });
    await subscribe(app, 'whatsapp');
    await message(app, 'm1', 'api-only');
    assert.ok((await texts('m1')).includes('Unknown contact'));
    assert.equal(api.requests.length, 0);
  });

  it('klink slower than the wait: cards still come within one wait (not one per message), unenriched, the log says so once, and the late answer serves the next message', async () => {
    const app = await start();
    const contacts = Array.from({ length: 10 }, (_, i) => `c${i + 1}`);
    for (const id of contacts) api.contacts.set(id, { name: `Name of ${id}`, tags: [{ name: 'VIP' }] });
    await app.webhook(contactEvent('known', [], 'Known Contact'));
    await subscribe(app, 'whatsapp');
    api.hold();
    const sentAt = Date.now();
    for (const [i, id] of contacts.entries()) await message(app, `m${i + 1}`, id);
    await message(app, 'm-known', 'known');
    await waitFor(async () => (await app.app.store.deliveries.undispatchedEvents(1)).length === 0, {
      timeoutMs: 5000,
      what: 'all messages matched',
    });
    // One wait per message would be 10 × WAIT_MS = 3 s.
    const matchedAfter = Date.now() - sentAt;
    assert.ok(matchedAfter < WAIT_MS + 1_000, `matched ${matchedAfter} ms after the first webhook`);
    // Eleven new posts at once exceed the channel's budget: some arrive inside a digest.
    await waitFor(async () => (await app.app.store.deliveries.listDeliveries({ state: 'delivered' }, 20)).length === 11, {
      timeoutMs: 10_000,
      what: 'every message posted',
    });
    const shown = connector.cards({ route: ['createConversation', 'sendToConversation'] }).flatMap((c) => cardTexts(c.content));
    assert.ok(
      shown.some((text) => text.includes('Unknown contact')),
      shown.join(' | '),
    );
    assert.ok(!shown.some((text) => text.includes('Name of')), 'posted without the held answers');
    assert.ok(
      shown.some((text) => text.includes('Known Contact')),
      'a known contact behind them is posted too',
    );
    assert.equal(lookupsOf('c1').length, 1, "c1's look-up is still held by klink");
    assert.ok(api.requests.length <= 4 && api.maxInFlight <= 4, 'at most 4 look-ups at klink at once; the others queue');
    assert.equal(logLines(app, /klink contact look-ups take longer/).length, 1, 'one warning for the ten messages');

    api.release();
    await waitFor(async () => (await app.app.store.contacts.knowledge(['c1'])).get('c1')?.source === 'api', {
      timeoutMs: 5000,
      what: 'the late answer stored',
    });
    // In a channel of its own: the first one's budget is spent for now.
    await subscribe(app, 'messenger', '19:later@thread.tacv2');
    await message(app, 'm-later', 'c1', 'messenger');
    const later = await texts('m-later');
    assert.ok(later.includes('Name of c1') && later.includes('VIP'), later.join(' | '));
    assert.equal(lookupsOf('c1').length, 1, 'not asked again');
  });

  it('klink down: cards still come, the log says so once for several messages, and once that klink works again', async () => {
    const app = await start();
    api.contacts.set('back', { name: 'Back Again', tags: [] });
    await subscribe(app, 'whatsapp');
    api.failNext({ kind: 'status', status: 401 }, { kind: 'status', status: 401 }, { kind: 'status', status: 401 });
    await message(app, 'm1', 'd1');
    await message(app, 'm2', 'd2');
    await message(app, 'm3', 'd3');
    for (const id of ['m1', 'm2', 'm3']) assert.ok((await texts(id)).includes('Unknown contact'), id);
    const warnings = logLines(app, /klink contact look-ups fail/);
    assert.equal(warnings.length, 1, 'one warning for three failed look-ups');
    assert.ok(!JSON.stringify(warnings).includes(FAKE_KLINK_TOKEN));
    await message(app, 'm4', 'back');
    assert.ok((await texts('m4')).includes('Back Again'));
    assert.equal(logLines(app, /look-ups work again/).length, 1);
    assert.deepEqual(await outcomes(app), { token_refused: 3, found: 1 });
    await message(app, 'm5', 'd1');
    assert.ok((await texts('m5')).includes('Unknown contact'));
    assert.equal(lookupsOf('d1').length, 1, 'a contact whose look-up just failed is not asked about again at once');
  });

  it('429 (with Retry-After) and 500 are retried; an answer that comes after the wait is stored and used by the next message', async () => {
    const app = await start();
    api.contacts.set('c1', { name: 'Patient Contact', tags: [{ name: 'VIP' }] });
    await subscribe(app, 'whatsapp');
    api.failNext({ kind: 'status', status: 429, retryAfter: '1' }, { kind: 'status', status: 500 });
    await message(app, 'm1', 'c1');
    assert.ok((await texts('m1')).includes('Unknown contact'), 'posted after the wait, before the answer');
    await waitFor(async () => (await outcomes(app)).found === 1, { timeoutMs: 10_000, what: 'the answer after the retries' });
    assert.equal(lookupsOf('c1').length, 3);
    await message(app, 'm2', 'c1');
    const card = await texts('m2');
    assert.ok(card.includes('Patient Contact') && card.includes('VIP'), card.join(' | '));
    assert.equal(lookupsOf('c1').length, 3, 'not asked again');
  });

  it('klink answering 500 to every try: one warning in the log for several messages, not one per retry', async () => {
    const app = await start({ KLINK_API_TOKEN: FAKE_KLINK_TOKEN, LOG_LEVEL: 'info' });
    await subscribe(app, 'whatsapp');
    api.failNext(...Array.from({ length: 8 }, () => ({ kind: 'status' as const, status: 500 })));
    await message(app, 'm1', 'd1');
    await message(app, 'm2', 'd2');
    for (const id of ['m1', 'm2']) assert.ok((await texts(id)).includes('Unknown contact'), id);
    await waitFor(async () => (await outcomes(app)).unavailable === 2, { timeoutMs: 15_000, what: 'both look-ups given up' });
    const warnings = app.logs.map((line) => JSON.parse(line) as { level: number; msg: string }).filter((l) => l.level >= 40);
    assert.deepEqual(
      warnings.map((w) => w.msg.slice(0, 30)),
      ['klink contact look-ups take lo'],
    );
  });

  it('a malformed answer is an error, not a crash: the card comes, unenriched', async () => {
    const app = await start();
    await subscribe(app, 'whatsapp');
    api.failNext({ kind: 'raw', status: 200, body: '{"data": {"name": "Broken' });
    await message(app, 'm1', 'broken');
    assert.ok((await texts('m1')).includes('Unknown contact'));
    assert.deepEqual(await outcomes(app), { malformed_answer: 1 });
  });

  it('several messages of one contact share one look-up', async () => {
    const app = await start();
    api.contacts.set('busy', { name: 'Busy Contact', tags: [] });
    await subscribe(app, 'whatsapp');
    api.hold();
    await Promise.all(['m1', 'm2', 'm3'].map((id) => message(app, id, 'busy')));
    await waitFor(() => lookupsOf('busy').length === 1, { timeoutMs: 5000, what: 'the look-up' });
    api.release();
    for (const id of ['m1', 'm2', 'm3']) await cardOf(id);
    assert.equal(lookupsOf('busy').length, 1);
  });

  it('a contact.update webhook after a look-up wins at once', async () => {
    const app = await start();
    api.contacts.set('c1', { name: 'API Name', tags: [{ name: 'VIP' }] });
    await subscribe(app, 'whatsapp');
    await message(app, 'm1', 'c1');
    assert.ok((await texts('m1')).includes('API Name'));
    assert.equal((await app.webhook(contactEvent('c1', ['gold'], 'Webhook Name'))).status, 200);
    await message(app, 'm2', 'c1');
    const card = await texts('m2');
    assert.ok(card.includes('Webhook Name') && !card.includes('VIP'), card.join(' | '));
    assert.equal(lookupsOf('c1').length, 1, 'a contact known from a webhook is not looked up');
  });

  it('an API answer fetched before a webhook never overwrites it', async () => {
    const app = await start();
    api.contacts.set('c1', { name: 'API Name', tags: [] });
    await subscribe(app, 'whatsapp');
    api.hold();
    await message(app, 'm1', 'c1');
    await waitFor(() => lookupsOf('c1').length === 1, { timeoutMs: 5000, what: 'the look-up' });
    assert.equal((await app.webhook(contactEvent('c1', ['VIP'], 'Webhook Name'))).status, 200);
    api.release();
    await cardOf('m1');
    await waitFor(async () => (await outcomes(app)).found === 1, { timeoutMs: 5000, what: 'the API answer' });
    assert.equal((await app.app.store.events.getContact('c1'))?.name, 'Webhook Name');
    await message(app, 'm2', 'c1');
    const card = await texts('m2');
    assert.ok(card.includes('Webhook Name') && card.includes('VIP'), card.join(' | '));
  });

  it('looks a contact known only from the API up again after KLINK_CONTACT_REFRESH_MINUTES', async () => {
    const app = await start({ KLINK_API_TOKEN: FAKE_KLINK_TOKEN, KLINK_CONTACT_REFRESH_MINUTES: '10' });
    api.contacts.set('c1', { name: 'First Name', tags: [] });
    await subscribe(app, 'whatsapp');
    await message(app, 'm1', 'c1');
    assert.ok((await texts('m1')).includes('First Name'));
    api.contacts.set('c1', { name: 'Second Name', tags: [{ name: 'VIP' }] });
    clock.advance(9 * 60_000);
    await message(app, 'm2', 'c1');
    assert.ok((await texts('m2')).includes('First Name'));
    assert.equal(lookupsOf('c1').length, 1);
    clock.advance(60_000);
    await message(app, 'm3', 'c1');
    const card = await texts('m3');
    assert.ok(card.includes('Second Name') && card.includes('VIP'), card.join(' | '));
    assert.equal(lookupsOf('c1').length, 2);
  });

  it('remembers a contact klink does not know (404) until the refresh time', async () => {
    const app = await start({ KLINK_API_TOKEN: FAKE_KLINK_TOKEN, KLINK_CONTACT_REFRESH_MINUTES: '10' });
    await subscribe(app, 'whatsapp');
    await message(app, 'm1', 'ghost');
    assert.ok((await texts('m1')).includes('Unknown contact'));
    await message(app, 'm2', 'ghost');
    assert.ok((await texts('m2')).includes('Unknown contact'));
    assert.equal(lookupsOf('ghost').length, 1, 'the 404 is remembered');
    assert.deepEqual(await outcomes(app), { not_found: 1 });
    clock.advance(10 * 60_000);
    api.contacts.set('ghost', { name: 'Now Known', tags: [] });
    await message(app, 'm3', 'ghost');
    assert.ok((await texts('m3')).includes('Now Known'));
    assert.equal(lookupsOf('ghost').length, 2);
  });
});
