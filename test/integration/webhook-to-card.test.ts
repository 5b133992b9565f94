import assert from 'node:assert/strict';
import sinon from 'sinon';
import { type FakeConnector, type RecordedCard, connectorErrors, startFakeConnector } from '../support/fake-connector';
import { contactEvent, messageEvent, sample } from '../support/fixtures';
import { BOT, TEAM, TENANT, channelCommand, installationUpdate, membersUpdate, personalCommand } from '../support/teams-activities';
import { type TestApp, startTestApp } from '../support/test-app';
import { eachStore } from '../support/each-store';
import { assertValidCard, cardTexts } from '../support/validate-card';
import { waitFor } from '../support/wait';

const VIP_CONTACT = '050823aa-8443-4fed-9951-f58d3b18c4eb';
const VIP_DESK = '19:vip-desk@thread.tacv2';

eachStore('webhook → card in the subscribed channel (real server, fake Bot Connector)', (kind) => {
  let connector: FakeConnector;
  let t: TestApp;
  let sandbox: sinon.SinonSandbox;
  const where = () => ({ serviceUrl: connector.url });

  beforeEach(async () => {
    sandbox = sinon.createSandbox();
    connector = await startFakeConnector();
    t = await startTestApp({}, { store: kind });
  });
  afterEach(async () => {
    sandbox.restore();
    await t.close();
    await connector.close();
  });

  /** The bot's reply cards in a conversation (replies to the command's activity). */
  async function replyTo(activity: { id: string }): Promise<string[]> {
    const [request] = await connector.waitForRequests((r) => r.route === 'replyToActivity' && r.urlActivityId === activity.id, 1, 5000);
    const card = request.activity?.attachments?.[0]?.content;
    assertValidCard(card);
    return cardTexts(card);
  }

  async function command(text: string, channelId?: string): Promise<string[]> {
    const activity = channelCommand({ ...where(), channelId }, text);
    assert.equal(await t.activity(activity), 200);
    return replyTo(activity);
  }

  /** Waits until every committed message event has been matched (delivery rows written). */
  async function dispatched(): Promise<void> {
    await waitFor(async () => (await t.app.store.deliveries.undispatchedEvents(1)).length === 0, {
      timeoutMs: 5000,
      what: 'events dispatched',
    });
  }

  async function newThreadCards(count: number): Promise<RecordedCard[]> {
    await connector.waitForRequests((r) => r.route === 'createConversation' && r.response?.status === 201, count, 5000);
    return connector.cards({ route: 'createConversation' });
  }

  it('records the installation and welcomes the team', async () => {
    const install = installationUpdate(where(), 'add');
    assert.equal(await t.activity(install), 200);
    const welcome = await replyTo(install);
    assert.ok(welcome.some((text) => text.includes('subscribe')));
    const stored = await t.app.store.conversations.getConversation(TEAM);
    assert.deepEqual(
      [stored?.type, stored?.tenantId, stored?.serviceUrl, stored?.teamId, stored?.botId, stored?.active],
      ['channel', TENANT, connector.url, TEAM, BOT.id, true],
    );
  });

  it('subscribes a channel, then posts a VIP WhatsApp message there as a new post with Open in klink', async () => {
    const confirmation = await command('subscribe whatsapp vip');
    assert.ok(
      confirmation.some((text) => /WhatsApp/.test(text) && /VIP/.test(text)),
      confirmation.join(' | '),
    );

    assert.deepEqual((await t.webhook(contactEvent(VIP_CONTACT, ['VIP'], 'Aung Aung'))).status, 200);
    const accepted = await t.webhook(sample('message.inbound'));
    assert.deepEqual([accepted.status, accepted.json.result], [200, 'stored']);

    const [card] = await newThreadCards(1);
    const create = card.request.body as { isGroup: boolean; channelData: { channel: { id: string } } };
    assert.equal(create.isGroup, true);
    assert.equal(create.channelData.channel.id, TEAM, 'posted in the channel where the subscription was typed');
    assertValidCard(card.content);
    const texts = cardTexts(card.content);
    assert.ok(texts.includes('Aung Aung'));
    assert.ok(texts.includes('VIP'));
    assert.ok(texts.some((text) => text.includes('ill think about it first')));
    const actions = (card.content as { actions: Array<{ type: string; title: string; url?: string }> }).actions;
    assert.deepEqual(actions[0], {
      type: 'Action.OpenUrl',
      title: 'Open in klink',
      url: 'https://app.klink.cloud/inbox/1f13f5d8-e426-42c7-9ce1-f50862f21965?message=39206a79-bc74-40c3-9dca-823f13cb7026',
    });
    assert.deepEqual(
      actions.slice(1).map((a) => [a.type, a.title]),
      [
        ['Action.ShowCard', 'Mute this room'],
        ['Action.Execute', 'Unsubscribe'],
      ],
    );
    const delivery = await waitFor(async () => (await t.app.store.deliveries.listDeliveries({ state: 'delivered' }, 10))[0], {
      timeoutMs: 5000,
      what: 'delivered',
    });
    assert.ok(delivery.activityId, 'the new post id is kept');
  });

  it('posts in the channel that subscribed and not in the others', async () => {
    await command('subscribe whatsapp', VIP_DESK);
    await command('subscribe messenger');
    await t.webhook(sample('message.inbound'));
    const cards = await newThreadCards(1);
    await dispatched();
    assert.deepEqual(
      cards.map((c) => (c.request.body as { channelData: { channel: { id: string } } }).channelData.channel.id),
      [VIP_DESK],
    );
  });

  it('posts once per channel even when several of its subscriptions match', async () => {
    await command('subscribe whatsapp');
    await command('subscribe group');
    await command('subscribe "think about"');
    await t.webhook(sample('message.inbound'));
    await newThreadCards(1);
    await waitFor(async () => (await t.app.store.deliveries.listDeliveries({ state: 'delivered' }, 10)).length === 1, {
      timeoutMs: 5000,
      what: 'delivery',
    });
    assert.equal(connector.cards({ route: 'createConversation' }).length, 1);
    assert.equal((await t.app.store.deliveries.listDeliveries({}, 10)).length, 1);
  });

  it('posts nothing for messages the filters exclude', async () => {
    await command('subscribe whatsapp vip');
    await t.webhook(contactEvent(VIP_CONTACT, ['lead']));
    await t.webhook(messageEvent({ id: 'not-vip' }));
    await t.webhook(contactEvent('vip-on-messenger', ['VIP'], 'Mo', '2026-01-11T00:00:00Z'));
    await t.webhook(messageEvent({ id: 'messenger', channelType: 'messenger', contactId: 'vip-on-messenger' }));
    await t.webhook(sample('message.outbound'));
    await t.webhook(messageEvent({ id: 'unknown-contact', contactId: 'nobody' }));
    await dispatched();
    assert.equal((await t.app.store.deliveries.listDeliveries({}, 10)).length, 0);
    assert.equal(connector.cards().filter((c) => c.route !== 'replyToActivity').length, 0);
  });

  it('uses the newest contact tags: a contact tagged VIP later starts matching', async () => {
    await command('subscribe whatsapp vip');
    await t.webhook(contactEvent(VIP_CONTACT, [], 'Aung', '2026-01-09T00:00:00Z'));
    await t.webhook(messageEvent({ id: 'before' }));
    await dispatched();
    await t.webhook(contactEvent(VIP_CONTACT, ['VVIP'], 'Aung', '2026-01-10T00:00:00Z'));
    await t.webhook(messageEvent({ id: 'after' }));
    const cards = await newThreadCards(1);
    assert.equal(cards.length, 1);
  });

  it('delivers to a personal chat with a plain message to that chat', async () => {
    const activity = personalCommand(where(), 'subscribe messenger');
    assert.equal(await t.activity(activity), 200);
    await replyTo(activity);
    await t.webhook(sample('message.inbound.messenger-direct'));
    const [request] = await connector.waitForRequests(
      (r) => r.route === 'sendToConversation' && r.conversationId === 'a:personal-chat-1',
      1,
      5000,
    );
    assert.equal(request.activity?.replyToId, undefined, 'a new message, not a reply');
    assertValidCard(request.activity?.attachments?.[0]?.content);
  });

  it('lists and removes subscriptions; same filters twice is a no-op that says so', async () => {
    await command('subscribe whatsapp vip');
    const again = await command('/SUBSCRIBE VIP WhatsApp');
    assert.ok(
      again.some((text) => /already/i.test(text)),
      again.join(' | '),
    );
    await command('subscribe messenger');
    const list = await command('subscriptions');
    assert.ok(list.some((text) => text.includes('whatsapp vip')));
    assert.ok(list.some((text) => text.includes('messenger')));
    const removed = await command('unsubscribe 1');
    assert.ok(removed.some((text) => text.includes('whatsapp vip')));
    assert.deepEqual(
      (await t.app.store.conversations.listSubscriptions(TEAM)).map((s) => [s.number, s.filters.channels]),
      [[1, ['messenger']]],
    );
    const missing = await command('unsubscribe 7');
    assert.ok(missing.some((text) => text.includes('#7')));
    assert.equal((await t.app.store.conversations.listSubscriptions(TEAM)).length, 1);
  });

  it('rejects an unknown word with a suggestion and saves nothing', async () => {
    const reply = await command('subscribe whatsap vip');
    assert.ok(
      reply.some((text) => text.includes('whatsapp')),
      reply.join(' | '),
    );
    assert.equal((await t.app.store.conversations.listSubscriptions(TEAM)).length, 0);
  });

  it('forgets the channel on uninstall: its subscriptions stop', async () => {
    await command('subscribe whatsapp');
    assert.equal(await t.activity(installationUpdate(where(), 'remove')), 200);
    assert.equal((await t.app.store.conversations.getConversation(TEAM))?.active, false);
    await t.webhook(sample('message.inbound'));
    await dispatched();
    assert.equal((await t.app.store.deliveries.listDeliveries({}, 10)).length, 0);

    assert.equal(await t.activity(membersUpdate(where(), 'membersAdded')), 200);
    assert.equal((await t.app.store.conversations.getConversation(TEAM))?.active, true, 'reinstalling records it again');
    assert.equal((await t.app.store.conversations.listSubscriptions(TEAM)).length, 0, 'old subscriptions stay removed');
  });

  it('deactivates the channel when Teams says the bot was removed (403)', async () => {
    await command('subscribe whatsapp');
    connector.respondWith({ ...connectorErrors.botNotInRoster(), match: { route: 'createConversation' } });
    await t.webhook(sample('message.inbound'));
    await waitFor(async () => (await t.app.store.deliveries.listDeliveries({ state: 'dead' }, 10))[0], {
      timeoutMs: 5000,
      what: 'dead letter',
    });
    const conversation = await t.app.store.conversations.getConversation(TEAM);
    assert.equal(conversation?.active, false);
    assert.match(conversation?.removedReason ?? '', /BotNotInConversationRoster/);
    assert.equal((await t.app.store.conversations.activeSubscriptions()).length, 0);
  });

  it('retries a failed post and keeps work across a restart', async () => {
    await command('subscribe whatsapp');
    // The SDK itself retries a 503 a few times: fail all of them, then let the next attempt through.
    const outage = connector.respondWith({ ...connectorErrors.serverError(503), match: { route: 'createConversation' }, times: Infinity });
    await t.webhook(sample('message.inbound'));
    await waitFor(async () => (await t.app.store.deliveries.listDeliveries({}, 10)).find((d) => d.attempts === 1), {
      timeoutMs: 15000,
      what: 'a failed attempt',
    });
    outage.cancel();
    await t.close({ keepDatabase: true });
    t = await startTestApp({}, { database: t.database });
    const delivery = await waitFor(async () => (await t.app.store.deliveries.listDeliveries({ state: 'delivered' }, 10))[0], {
      timeoutMs: 10000,
      what: 'delivery after restart',
    });
    assert.equal(delivery.attempts, 2);
    assert.equal(connector.find((r) => r.route === 'createConversation' && r.response?.status === 201).length, 1);
  });

  it('never logs message text, phone numbers or the secret', async () => {
    await command('subscribe whatsapp vip');
    await t.webhook(sample('contact.create'));
    await t.webhook(contactEvent(VIP_CONTACT, ['VIP']));
    await t.webhook(sample('message.inbound'));
    await t.webhook(sample('message.inbound'), { secret: 'wrong' });
    await newThreadCards(1);
    await waitFor(() => t.logs.some((line) => line.includes('card delivered')), { timeoutMs: 5000, what: 'the delivery log line' });
    const logs = t.logs.join('\n');
    for (const secret of ['ill think about it first', '06838387278', 'john@klink.cloud', 'test-signing-secret', 'waapi-66650491488']) {
      assert.ok(!logs.includes(secret), `log contains "${secret}"`);
    }
  });
});
