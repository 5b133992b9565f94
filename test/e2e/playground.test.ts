/**
 * End to end with the real Microsoft 365 Agents Playground (a Teams-like client) driven headless:
 * a user subscribes in a channel, klink sends a signed VIP WhatsApp webhook, and the card with
 * "Open in klink" arrives in that channel as a new post; the user answers the customer from it
 * (Reply → text → Send, as the playground invokes Action.Execute) and sees the card updated, while
 * the fake klink API receives the send.
 */
import assert from 'node:assert/strict';
import { type Playground, type PlaygroundPush, buildPlaygroundConfig, cardsOf, startPlayground } from '../support/playground';
import { contactEvent, sample } from '../support/fixtures';
import { FAKE_KLINK_TOKEN, type FakeKlinkApi, startFakeKlinkApi } from '../support/fake-klink-api';
import { type TestApp, startTestApp } from '../support/test-app';
import { assertValidCard, cardTexts, elementsOfType } from '../support/validate-card';

const VIP_CONTACT = '050823aa-8443-4fed-9951-f58d3b18c4eb';
const VIP_DESK = '19:vip-desk@thread.tacv2';

describe('Agents Playground end to end', function () {
  this.timeout(90_000);
  let t: TestApp;
  let playground: Playground;
  let api: FakeKlinkApi;
  /** The card posted by the first test, answered from in the second. */
  let posted: PlaygroundPush | undefined;

  before(async () => {
    api = await startFakeKlinkApi();
    t = await startTestApp({ KLINK_API_TOKEN: FAKE_KLINK_TOKEN, KLINK_API_BASE_URL: api.baseUrl, KLINK_REPLY: 'on' });
    playground = await startPlayground({
      botEndpoint: `${t.url}/api/messages`,
      port: 0,
      config: buildPlaygroundConfig({ botName: 'klink', teamName: 'klink demo', channel: { id: VIP_DESK, name: 'VIP desk' } }),
    });
  });
  after(async () => {
    await playground?.stop();
    await t?.close();
    await api?.close();
  });

  it('subscribe in a channel, send a signed VIP WhatsApp webhook, see the card with Open in klink arrive there', async () => {
    const info = await playground.config();
    const general = info.teams[0].channels[0].id;

    const beforeSubscribe = playground.mark();
    const sent = await playground.sendChannelMessage(general, 'subscribe whatsapp vip');
    const confirmation = await playground.waitForMessage(
      (push) => push.action === 'createMessage' && push.actionConversationId === sent.postConversationId && cardsOf(push).length > 0,
      { since: beforeSubscribe, timeoutMs: 20_000, what: 'the confirmation card in the thread of the command' },
    );
    const confirmationText = cardTexts(cardsOf(confirmation)[0]).join(' ');
    assert.match(confirmationText, /WhatsApp/);
    assert.match(confirmationText, /VIP/);
    const subscriptions = await t.app.store.conversations.listSubscriptions(general);
    assert.equal(subscriptions.length, 1, 'the subscription belongs to the General channel');

    const beforeWebhook = playground.mark();
    assert.equal((await t.webhook(contactEvent(VIP_CONTACT, ['VIP'], 'Aung Aung'))).status, 200);
    assert.equal((await t.webhook(sample('message.inbound'))).status, 200);

    const post = await playground.waitForMessage(
      (push) => push.action === 'createMessage' && push.actionConversationId === general && cardsOf(push).length > 0,
      { since: beforeWebhook, timeoutMs: 20_000, what: 'the klink card as a new post in General' },
    );
    assert.ok(post.message.postConversationId?.startsWith(`${general};messageid=`), 'a new post (thread root) in General');
    const card = cardsOf(post)[0] as { actions: Array<{ type: string; title: string; url: string }> };
    assertValidCard(card);
    assert.ok(cardTexts(card).includes('Aung Aung'));
    assert.ok(cardTexts(card).includes('VIP'));
    assert.deepEqual(
      card.actions.map((a) => [a.type, a.title]),
      [
        ['Action.OpenUrl', 'Open in klink'],
        ['Action.ShowCard', 'Reply'],
        ['Action.ShowCard', 'Mute this room'],
        ['Action.Execute', 'Unsubscribe'],
      ],
    );
    assert.match(card.actions[0].url, /^https:\/\/app\.klink\.cloud\/inbox\/1f13f5d8-e426-42c7-9ce1-f50862f21965/);

    const elsewhere = playground.pushes.slice(beforeWebhook).filter((p) => p.actionConversationId.startsWith(VIP_DESK));
    assert.equal(elsewhere.length, 0, 'nothing is posted in the channel that did not subscribe');
    posted = post;
  });

  it('answers the customer from the card: Reply, type, Send; klink gets the send and the card shows "Replied by"', async () => {
    assert.ok(posted, 'the card of the first test');
    const info = await playground.config();
    const card = cardsOf(posted)[0];
    const [input] = elementsOfType(card, 'Input.Text');
    assert.equal(input.id, 'replyText');
    const send = elementsOfType(card, 'Action.Execute').find((a) => a.verb === 'reply');
    assert.ok(send);
    const thread = posted.message.postConversationId ?? '';

    const beforeSend = playground.mark();
    // What the client sends for Send: the action with its data and the card's inputs merged in.
    const answer = (await playground.invoke({
      conversationId: thread,
      replyToId: posted.message.messageId,
      value: {
        action: {
          type: 'Action.Execute',
          verb: 'reply',
          data: { ...(send.data as object), replyText: 'Thanks, Aung Aung! A colleague calls you today.' },
        },
        trigger: 'manual',
      },
    })) as { type: string; value: unknown };
    // The playground hands back the invoke response's body without its statusCode.
    assert.equal(answer.type, 'application/vnd.microsoft.card.adaptive', JSON.stringify(answer));
    const replied = (c: unknown) =>
      cardTexts(c).some((text) => /^Replied by Alex Wilber at .*: Thanks, Aung Aung! A colleague calls you today\.$/.test(text));
    assert.ok(replied(answer.value), JSON.stringify(cardTexts(answer.value)));

    const update = await playground.waitForMessage(
      (push) => push.action === 'updateMessage' && push.message.messageId === posted?.message.messageId && replied(cardsOf(push)[0]),
      { since: beforeSend, timeoutMs: 20_000, what: 'the card updated for everyone with "Replied by"' },
    );
    assertValidCard(cardsOf(update)[0]);
    const sends = api.requests.filter((r) => r.method === 'POST' && r.url === '/api/v1/messages/send');
    assert.equal(sends.length, 1);
    assert.equal((JSON.parse(sends[0].body) as { message: string }).message, 'Thanks, Aung Aung! A colleague calls you today.');
    assert.equal(info.currentUser.name, 'Alex Wilber');
  });
});
