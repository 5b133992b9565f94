/**
 * Replying to a klink customer from a card, through the real server (real invoke activities) with
 * the fake Bot Connector and the fake klink API, on each store: the send klink receives, the card
 * updated in place and for everyone, the reply recorded; one send per card action however often
 * Send is clicked; klink's failures and refused texts shown on the card; no Reply where replies
 * are off.
 */
import assert from 'node:assert/strict';
import { escapeMarkdown } from '../../src/cards/escape-markdown';
import { addConnection, sealApiToken } from '../../src/klink/connections';
import { signBody } from '../../src/klink/verify';
import { FAKE_KLINK_TOKEN, type FakeKlinkApi, startFakeKlinkApi } from '../support/fake-klink-api';
import { type FakeConnector, type RecordedRequest, startFakeConnector } from '../support/fake-connector';
import { messageEvent } from '../support/fixtures';
import { BOT, TEAM, TENANT, USER, channelCommand } from '../support/teams-activities';
import { type TestApp, TestClock, startTestApp } from '../support/test-app';
import { eachStore } from '../support/each-store';
import { assertValidCard, cardTexts, cardTimeProblems, elementsOfType } from '../support/validate-card';
import { waitFor } from '../support/wait';

const CONTACT = '050823aa-8443-4fed-9951-f58d3b18c4eb';
const KEY = Buffer.alloc(32, 9).toString('base64');

eachStore('replying from a card', function (kind) {
  this.timeout(30_000);
  let connector: FakeConnector;
  let api: FakeKlinkApi;
  let t: TestApp;
  let clock: TestClock;

  beforeEach(async () => {
    connector = await startFakeConnector();
    api = await startFakeKlinkApi();
    clock = new TestClock();
  });
  afterEach(async () => {
    await t.close();
    await connector.close();
    await api.close();
  });

  const start = async (env: Record<string, string> = {}) => {
    t = await startTestApp(
      { KLINK_API_TOKEN: FAKE_KLINK_TOKEN, KLINK_API_BASE_URL: api.baseUrl, KLINK_REPLY: 'on', DATA_ENCRYPTION_KEY: KEY, ...env },
      { store: kind, clock },
    );
  };

  /** Subscribes General to WhatsApp, posts one customer message (or sends `webhook`), returns the posted card. */
  async function postedCard(webhook: () => Promise<unknown> = () => t.webhook(messageEvent({ id: 'm1', roomId: 'room-a' }))) {
    const command = channelCommand({ serviceUrl: connector.url }, 'subscribe whatsapp');
    assert.equal(await t.activity(command), 200);
    await connector.waitForRequests((r) => r.route === 'replyToActivity' && r.urlActivityId === command.id, 1, 5000);
    await webhook();
    const [post] = await connector.waitForRequests((r) => r.route === 'createConversation', 1, 10_000);
    await waitFor(async () => (await t.app.store.deliveries.listDeliveries({ state: 'delivered' }, 10)).length === 1, {
      timeoutMs: 10_000,
      what: 'the message delivered',
    });
    const card = post.activity?.attachments?.[0]?.content;
    assertValidCard(card);
    const send = elementsOfType(card, 'Action.Execute').find((a) => a.verb === 'reply');
    return { card, post, reply: send?.data as Record<string, string> | undefined };
  }

  /** Send under Reply, the way Teams invokes it: the card's data merged with the input's value. */
  async function invoke(post: RecordedRequest, data: Record<string, string>, id = `inv-${Math.random()}`) {
    const response = await fetch(`${t.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'invoke',
        name: 'adaptiveCard/action',
        id,
        channelId: 'msteams',
        serviceUrl: connector.url,
        from: USER,
        recipient: BOT,
        replyToId: post.activityId,
        conversation: { id: post.conversationId, conversationType: 'channel', isGroup: true, tenantId: TENANT },
        channelData: { team: { id: TEAM }, channel: { id: TEAM }, tenant: { id: TENANT } },
        value: { action: { type: 'Action.Execute', verb: 'reply', data }, trigger: 'manual' },
      }),
    });
    const body = (await response.json()) as { statusCode: number; value: unknown };
    assert.equal(response.status, body.statusCode);
    return body;
  }

  async function replyCard(post: RecordedRequest, data: Record<string, string>) {
    const body = await invoke(post, data);
    assert.equal(body.statusCode, 200, JSON.stringify(body));
    assertValidCard(body.value);
    assert.deepEqual(cardTimeProblems(body.value), []);
    return body.value;
  }

  const sends = () => api.requests.filter((r) => r.method === 'POST');

  it('sends the reply to klink once, updates the card in place and for everyone, and records it (never logging the text)', async () => {
    await start();
    const { post, reply } = await postedCard();
    assert.ok(reply, 'the card has Reply');
    const card = await replyCard(post, { ...reply, replyText: '  Hello there, we are on it!  ' });

    assert.equal(sends().length, 1);
    const [sent] = sends();
    assert.equal(sent.url, '/api/v1/messages/send');
    assert.equal(sent.headers.authorization, `Bearer ${FAKE_KLINK_TOKEN}`);
    const body = JSON.parse(sent.body) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), ['contactId', 'createdAt', 'message', 'messageType']);
    assert.deepEqual([body.contactId, body.messageType, body.message], [CONTACT, 'text', 'Hello there, we are on it!']);
    assert.ok(Math.abs(Date.parse(String(body.createdAt)) - clock.now()) < 5_000, 'createdAt: when it was sent');

    const line = cardTexts(card).find((text) => text.startsWith('Replied by'));
    assert.match(line ?? '', /^Replied by Mia Agent at \{\{DATE\(\S+Z, SHORT\)\}\}, \{\{TIME\(\S+Z\)\}\}: Hello there, we are on it!$/);
    assert.ok(cardTexts(card).includes(escapeMarkdown('thanks. ill think about it first')), 'the original message stays');
    const again = elementsOfType(card, 'Action.Execute').find((a) => a.verb === 'reply');
    assert.ok(again, 'Reply stays for a further reply');
    assert.notEqual((again.data as Record<string, string>).replyKey, reply.replyKey, 'with a new card action key');

    const [update] = await connector.waitForRequests((r) => r.route === 'updateActivity', 1, 5000);
    assert.equal(update.urlActivityId, post.activityId);
    assert.deepEqual(update.activity?.attachments?.[0]?.content, card);

    const events = await t.app.store.deliveries.listDeliveries({ state: 'delivered' }, 10);
    const [recorded] = await t.app.store.replies.listReplies(TEAM, events[0].eventId);
    assert.deepEqual(
      [recorded.outcome, recorded.klinkMessageId, recorded.userId, recorded.userName, recorded.contactId, recorded.connectionId],
      ['sent', 'sent-1', USER.aadObjectId, 'Mia Agent', CONTACT, 'default'],
    );
    assert.equal(recorded.roomId, 'room-a');
    assert.ok(!t.logs.some((l) => l.includes('Hello there')), 'the text is never logged');
  });

  it("the card update takes a slot in the conversation's Teams budget (the invoke's own answer does not)", async () => {
    await start();
    const { post, reply } = await postedCard();
    assert.ok(reply);
    const before = (await t.app.store.rowCounts()).teams_slots;
    await replyCard(post, { ...reply, replyText: 'counted' });
    await connector.waitForRequests((r) => r.route === 'updateActivity', 1, 5000);
    assert.equal((await t.app.store.rowCounts()).teams_slots, before + 1);
  });

  it("a thread's root card keeps its replies and Reply when it is brought up to date", async () => {
    await start();
    const { post, reply } = await postedCard();
    assert.ok(reply);
    await replyCard(post, { ...reply, replyText: 'Thanks for waiting' });
    await connector.waitForRequests((r) => r.route === 'updateActivity', 1, 5000);
    await t.webhook(messageEvent({ id: 'm2', roomId: 'room-a', text: 'any news?' }));
    await waitFor(async () => (await t.app.store.deliveries.listDeliveries({ state: 'delivered' }, 10)).length === 2, {
      timeoutMs: 10_000,
      what: 'the second message delivered',
    });
    clock.advance(61_000);
    const [, rootUpdate] = await connector.waitForRequests((r) => r.route === 'updateActivity', 2, 5000);
    const card = rootUpdate.activity?.attachments?.[0]?.content;
    assertValidCard(card);
    assert.ok(
      cardTexts(card).some((text) => /^Replied by Mia Agent at .*: Thanks for waiting$/.test(text)),
      JSON.stringify(cardTexts(card)),
    );
    assert.ok(cardTexts(card).some((text) => text.startsWith('2 messages in this klink conversation')));
    assert.ok(elementsOfType(card, 'Action.Execute').some((a) => a.verb === 'reply'));
  });

  it('keeps the reply text only for MESSAGE_RETENTION_DAYS; the record stays', async () => {
    await start({ MESSAGE_RETENTION_DAYS: '7' });
    const { post, reply } = await postedCard();
    assert.ok(reply);
    await replyCard(post, { ...reply, replyText: 'kept a while' });
    const [delivery] = await t.app.store.deliveries.listDeliveries({ state: 'delivered' }, 1);
    const text = async () => (await t.app.store.replies.listReplies(TEAM, delivery.eventId))[0]?.text;
    clock.advance(6 * 86_400_000);
    assert.equal(await text(), 'kept a while', 'kept within the retention period');
    clock.advance(2 * 86_400_000);
    await waitFor(async () => (await text()) === null, { timeoutMs: 5000, what: 'the reply text to be removed' });
    const [recorded] = await t.app.store.replies.listReplies(TEAM, delivery.eventId);
    assert.deepEqual([recorded.outcome, recorded.userId], ['sent', USER.aadObjectId]);
  });

  it('sends once when Send is clicked twice or Teams retries the invoke', async () => {
    await start();
    const { post, reply } = await postedCard();
    assert.ok(reply);
    api.holdMs = 200;
    const data = { ...reply, replyText: 'Only once please' };
    const cards = await Promise.all([replyCard(post, data), replyCard(post, data)]);
    api.holdMs = 0;
    await replyCard(post, data);
    assert.equal(sends().length, 1);
    for (const card of cards) assert.ok(cardTexts(card).some((text) => text.includes('Only once please')));
    const events = await t.app.store.deliveries.listDeliveries({ state: 'delivered' }, 10);
    assert.equal((await t.app.store.replies.listReplies(TEAM, events[0].eventId)).length, 1);
  });

  for (const [status, expected, outcome] of [
    [401, /was not sent: the klink API token was refused \(klink answered 401\); an operator must set a new token\.$/, 'failed'],
    [404, /was not sent: klink does not know this contact \(klink answered 404\)/, 'failed'],
    [
      500,
      /may have been sent — klink did not confirm it \(klink is unavailable \(klink answered 500\)\)\. Check the conversation in klink/,
      'unknown',
    ],
  ] as const) {
    it(`shows klink's ${status} on the card with the reason, recorded as ${outcome}, and does not send it again`, async () => {
      await start();
      const { post, reply } = await postedCard();
      assert.ok(reply);
      api.failNext({ kind: 'status', status });
      const data = { ...reply, replyText: 'Are you there?' };
      const card = await replyCard(post, data);
      const line = cardTexts(card).find((text) => text.startsWith('Reply by Mia Agent'));
      assert.match(line ?? JSON.stringify(cardTexts(card)), expected);
      await replyCard(post, data);
      assert.equal(sends().length, 1, 'the same card action is never sent again');
      const events = await t.app.store.deliveries.listDeliveries({ state: 'delivered' }, 10);
      const [recorded] = await t.app.store.replies.listReplies(TEAM, events[0].eventId);
      assert.equal(recorded.outcome, outcome);
    });
  }

  it('refuses an empty or over-long reply on the card, with the limit, and sends nothing', async () => {
    await start();
    const { post, reply } = await postedCard();
    assert.ok(reply);
    const empty = await replyCard(post, { ...reply, replyText: '   \n ' });
    assert.ok(cardTexts(empty).includes('Type a reply first; nothing was sent.'));
    const long = 'é'.repeat(4097);
    const tooLong = await replyCard(post, { ...reply, replyText: long });
    assert.ok(cardTexts(tooLong).includes('Your reply has 4097 characters; WhatsApp takes at most 4096. Shorten it; nothing was sent.'));
    const [input] = elementsOfType(tooLong, 'Input.Text');
    assert.equal(input.value, long, 'the text is kept in the box to shorten');
    assert.equal(api.requests.filter((r) => r.method === 'POST').length, 0, 'nothing sent to the customer');
    assert.equal((await t.app.store.rowCounts()).card_replies, 0);
    assert.equal(connector.requests.filter((r) => r.route === 'updateActivity').length, 0);
    // The refusals did not use up the card action: a proper reply from it still goes.
    await replyCard(post, { ...reply, replyText: 'ok' });
    assert.equal(sends().length, 1);
  });

  it('refuses Send for a card this conversation never received', async () => {
    await start();
    const { post, reply } = await postedCard();
    assert.ok(reply);
    const body = await invoke(post, { ...reply, eventId: String(Number(reply.eventId) + 1000), replyText: 'hi' });
    assert.equal(body.statusCode, 400);
    assert.equal(api.requests.filter((r) => r.method === 'POST').length, 0, 'nothing sent to the customer');
  });

  for (const [what, env] of [
    ['without an API token', { KLINK_API_TOKEN: '' }],
    ['with KLINK_REPLY off', { KLINK_REPLY: 'off' }],
  ] as const) {
    it(`puts no Reply on cards ${what}`, async () => {
      await start(env);
      const { card, reply } = await postedCard();
      assert.equal(reply, undefined);
      assert.deepEqual(elementsOfType(card, 'Input.Text'), []);
    });
  }

  it('puts no Reply on cards of a connection whose own setting is off, though KLINK_REPLY is on', async () => {
    await start();
    const key = Buffer.from(KEY, 'base64');
    const { id } = await addConnection(t.app.store, key, { tenantId: TENANT, name: 'Acme', secret: 'acme-secret' }, 1);
    await t.app.store.tenants.setConnectionReply(id, 'off');
    await t.app.store.tenants.setConnectionApiToken(id, sealApiToken(key, id, FAKE_KLINK_TOKEN));
    const raw = JSON.stringify(messageEvent({ id: 'acme-1', roomId: 'room-acme' }));
    const { card, reply } = await postedCard(() =>
      fetch(`${t.url}/api/klink/webhook/${id}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-signature': signBody('acme-secret', raw) },
        body: raw,
      }),
    );
    assert.equal(reply, undefined);
    assert.deepEqual(
      elementsOfType(card, 'Action.ShowCard').map((a) => a.title),
      ['Mute this room'],
    );
  });
});
