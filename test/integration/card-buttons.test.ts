/**
 * What the buttons on a posted card answer with (real server, fake Bot Connector), in a channel
 * and in a personal chat: times in the reader's own time zone, commands as they are typed there.
 */
import assert from 'node:assert/strict';
import { type FakeConnector, startFakeConnector } from '../support/fake-connector';
import { messageEvent } from '../support/fixtures';
import { BOT, TEAM, TENANT, USER, channelCommand, personalCommand } from '../support/teams-activities';
import { type TestApp, TestClock, startTestApp } from '../support/test-app';
import { eachStore } from '../support/each-store';
import { assertValidCard, cardTexts, cardTimeProblems, elementsOfType } from '../support/validate-card';
import { waitFor } from '../support/wait';

const CHAT = 'a:personal-chat-1';
type Kind = 'channel' | 'personal';

eachStore('card buttons', function (kind) {
  this.timeout(30_000);
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

  /** Subscribes the conversation to WhatsApp, posts one message there, and returns its card's buttons. */
  async function postedCard(where: Kind) {
    const command =
      where === 'channel'
        ? channelCommand({ serviceUrl: connector.url }, 'subscribe whatsapp')
        : personalCommand({ serviceUrl: connector.url }, 'subscribe whatsapp', CHAT);
    assert.equal(await t.activity(command), 200);
    await connector.waitForRequests((r) => r.route === 'replyToActivity' && r.urlActivityId === command.id, 1, 5000);
    await t.webhook(messageEvent({ id: 'm1', roomId: 'room-a' }));
    await waitFor(async () => (await t.app.store.deliveries.listDeliveries({ state: 'delivered' }, 10)).length === 1, {
      timeoutMs: 10_000,
      what: 'the message delivered',
    });
    const post = connector.requests.find((r) => r.route === 'createConversation' || r.route === 'sendToConversation');
    assert.ok(post);
    const card = post.activity?.attachments?.[0]?.content;
    const actions = elementsOfType(card, 'Action.Execute');
    const mute = actions.find((a) => a.verb === 'muteRoom');
    const unsubscribe = actions.find((a) => a.verb === 'unsubscribe');
    assert.ok(mute && unsubscribe);
    return { card, mute: mute.data as Record<string, string>, unsubscribe: unsubscribe.data as Record<string, string> };
  }

  /** Sends an Action.Execute invoke the way Teams does and returns the card the bot answers with. */
  async function invoke(where: Kind, verb: string, data: Record<string, string>): Promise<unknown> {
    const conversation =
      where === 'channel'
        ? {
            conversation: { id: TEAM, conversationType: 'channel', isGroup: true, tenantId: TENANT },
            channelData: { team: { id: TEAM }, channel: { id: TEAM }, tenant: { id: TENANT } },
          }
        : { conversation: { id: CHAT, conversationType: 'personal', tenantId: TENANT }, channelData: { tenant: { id: TENANT } } };
    const response = await fetch(`${t.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'invoke',
        name: 'adaptiveCard/action',
        id: `inv-${verb}`,
        channelId: 'msteams',
        serviceUrl: connector.url,
        from: USER,
        recipient: BOT,
        ...conversation,
        value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
      }),
    });
    assert.equal(response.status, 200);
    const body = (await response.json()) as { statusCode: number; value: unknown };
    assert.equal(body.statusCode, 200);
    assertValidCard(body.value);
    return body.value;
  }

  it("the mute notice gives its time as the message time is given: DATE/TIME, in the reader's time zone", async () => {
    const { card, mute } = await postedCard('channel');
    const muted = await invoke('channel', 'muteRoom', { ...mute, muteFor: '3600000' });
    const until = new Date(clock.now() + 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const notice = cardTexts(muted).find((text) => text.startsWith('Muted here until'));
    assert.equal(
      notice,
      `Muted here until {{DATE(${until}, SHORT)}}, {{TIME(${until})}} by Mia Agent: new messages of this klink conversation are not posted here until then.`,
    );
    assert.deepEqual(cardTimeProblems(muted), []);
    assert.deepEqual(cardTimeProblems(card), []);
  });

  for (const [where, typed] of [
    ['channel', '@klink subscribe'],
    ['personal', 'subscribe'],
  ] as const) {
    it(`the unsubscribe notice in a ${where} chat tells how to subscribe again as it is typed there ("${typed} …")`, async () => {
      const { unsubscribe } = await postedCard(where);
      const texts = cardTexts(await invoke(where, 'unsubscribe', unsubscribe));
      const notice = texts.find((text) => text.startsWith('Unsubscribed'));
      assert.equal(notice, `Unsubscribed by Mia Agent: "whatsapp". Type ${typed} … to subscribe again.`);
    });
  }
});
