/**
 * A thread root card brought up to date (real server, fake Bot Connector): it keeps its
 * buttons, shows the room as the newest message sees it, and never a raw media URL.
 */
import assert from 'node:assert/strict';
import { startFakeConnector, type FakeConnector } from '../support/fake-connector';
import { messageEvent } from '../support/fixtures';
import { TEAM, TENANT, channelCommand } from '../support/teams-activities';
import { type TestApp, TestClock, startTestApp } from '../support/test-app';
import { eachStore } from '../support/each-store';
import { assertValidCard, cardTexts, elementsOfType } from '../support/validate-card';
import { waitFor } from '../support/wait';

eachStore('thread root card updates', function (kind) {
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

  async function delivered(count: number): Promise<void> {
    await waitFor(async () => (await t.app.store.deliveries.listDeliveries({ state: 'delivered' }, 100)).length >= count, {
      timeoutMs: 10_000,
      what: `${count} deliveries delivered`,
    });
  }

  it('keeps Unsubscribe, shows the newest message\'s unread count and "Image" instead of the media URL', async () => {
    const command = channelCommand({ serviceUrl: connector.url, channelId: TEAM, tenantId: TENANT }, 'subscribe whatsapp');
    assert.equal(await t.activity(command), 200);
    await connector.waitForRequests((r) => r.route === 'replyToActivity' && r.urlActivityId === command.id, 1, 5000);
    const [subscription] = await t.app.store.conversations.listSubscriptions(TEAM);

    await t.webhook(messageEvent({ id: 'm1', roomId: 'room-a', text: 'first question', unreadCount: 1 }));
    await delivered(1);
    const [post] = await connector.waitForRequests((r) => r.route === 'createConversation', 1, 5000);
    const posted = post.activity?.attachments?.[0]?.content;
    assert.deepEqual(
      elementsOfType(posted, 'Action.Execute').map((a) => a.title),
      ['Mute', 'Unsubscribe'],
      'the first post has both buttons',
    );

    const mediaUrl = 'https://cdn.klink.cloud/media/photo-of-receipt.jpg';
    await t.webhook(messageEvent({ id: 'm2', roomId: 'room-a', text: mediaUrl, type: 'image', unreadCount: 3 }));
    await delivered(2);
    clock.advance(61_000);
    const [update] = await connector.waitForRequests((r) => r.route === 'updateActivity', 1, 5000);
    const card = update.activity?.attachments?.[0]?.content;
    assertValidCard(card);

    const unsubscribe = elementsOfType(card, 'Action.Execute').find((a) => a.verb === 'unsubscribe');
    assert.ok(unsubscribe, 'the updated root card still has Unsubscribe');
    assert.equal((unsubscribe.data as { subscriptionIds?: string }).subscriptionIds, String(subscription.id));
    const texts = cardTexts(card);
    assert.ok(texts.includes('3 unread'), `the newest message's unread count: ${JSON.stringify(texts)}`);
    assert.ok(!texts.includes('1 unread'));
    assert.ok(texts.includes('Image'), 'the latest line names the media');
    assert.ok(!JSON.stringify(card).includes(mediaUrl), 'no raw media URL on the root card');
  });
});
