/** What operators watch: Prometheus metrics, and message text removed after the retention period. */
import assert from 'node:assert/strict';
import { type FakeConnector, connectorErrors, startFakeConnector } from '../support/fake-connector';
import { messageEvent } from '../support/fixtures';
import { channelCommand } from '../support/teams-activities';
import { type TestApp, TestClock, startTestApp } from '../support/test-app';
import { eachStore } from '../support/each-store';
import { waitFor } from '../support/wait';

eachStore('metrics and retention', (kind) => {
  let connector: FakeConnector;
  let t: TestApp;
  let clock: TestClock;

  beforeEach(async () => {
    connector = await startFakeConnector();
    clock = new TestClock();
    t = await startTestApp({ MESSAGE_RETENTION_DAYS: '7' }, { store: kind, clock });
    const activity = channelCommand({ serviceUrl: connector.url }, 'subscribe whatsapp');
    assert.equal(await t.activity(activity), 200);
  });
  afterEach(async () => {
    await t.close();
    await connector.close();
  });

  async function metric(name: string): Promise<string[]> {
    const response = await fetch(`${t.url}/metrics`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
    return (await response.text()).split('\n').filter((line) => line.startsWith(name));
  }

  it('GET /metrics counts webhooks by result, deliveries, and webhook-to-Teams latency', async () => {
    await t.webhook(messageEvent({ id: 'm1' }));
    await t.webhook(messageEvent({ id: 'm1' }));
    await t.webhook(messageEvent({ id: 'm2' }), { secret: 'wrong' });
    await waitFor(async () => (await t.app.store.deliveries.listDeliveries({ state: 'delivered' }, 10)).length === 1, {
      timeoutMs: 5000,
      what: 'delivery',
    });
    assert.deepEqual(await metric('klink_teams_webhooks_total'), [
      'klink_teams_webhooks_total{result="stored"} 1',
      'klink_teams_webhooks_total{result="duplicate"} 1',
      'klink_teams_webhooks_total{result="unauthorized"} 1',
    ]);
    assert.deepEqual(await metric('klink_teams_deliveries_total'), ['klink_teams_deliveries_total{result="delivered"} 1']);
    assert.deepEqual(await metric('klink_teams_webhook_to_teams_seconds_count'), ['klink_teams_webhook_to_teams_seconds_count 1']);
    assert.equal((await metric('klink_teams_queue_depth')).length, 1);
    assert.equal((await metric('klink_teams_dead_letters_total')).length, 1);
  });

  it('klink_teams_queue_depth is the number of pending deliveries at the moment of the scrape', async () => {
    // Teams throttles this channel for an hour: what arrives stays pending.
    connector.respondWith({ ...connectorErrors.throttled(3600), times: Infinity });
    for (const id of ['q1', 'q2', 'q3']) assert.equal((await t.webhook(messageEvent({ id, roomId: `room-${id}` }))).status, 200);
    await waitFor(async () => (await t.app.store.deliveries.countPending()) === 3, { timeoutMs: 5000, what: '3 pending deliveries' });
    assert.deepEqual(await metric('klink_teams_queue_depth'), ['klink_teams_queue_depth 3']);
    assert.equal((await t.webhook(messageEvent({ id: 'q4', roomId: 'room-q4' }))).status, 200);
    await waitFor(async () => (await t.app.store.deliveries.countPending()) === 4, { timeoutMs: 5000, what: '4 pending deliveries' });
    assert.deepEqual(await metric('klink_teams_queue_depth'), ['klink_teams_queue_depth 4']);
  });

  it('removes message text from the store once delivered and older than MESSAGE_RETENTION_DAYS', async () => {
    await t.webhook(messageEvent({ id: 'm1', text: 'my card number is 4111' }));
    await waitFor(async () => (await t.app.store.deliveries.listDeliveries({ state: 'delivered' }, 10)).length === 1, {
      timeoutMs: 5000,
      what: 'delivery',
    });
    const [delivery] = await t.app.store.deliveries.listDeliveries({}, 1);
    assert.match((await t.app.store.events.getEvent(delivery.eventId))?.payload ?? '', /4111/);
    clock.advance(6 * 86_400_000);
    assert.match((await t.app.store.events.getEvent(delivery.eventId))?.payload ?? '', /4111/, 'kept within the retention period');
    clock.advance(2 * 86_400_000);
    await waitFor(async () => !((await t.app.store.events.getEvent(delivery.eventId))?.payload ?? '4111').includes('4111'), {
      timeoutMs: 5000,
      what: 'the message text to be removed',
    });
    assert.equal((await t.app.store.events.getEvent(delivery.eventId))?.roomId, '1f13f5d8-e426-42c7-9ce1-f50862f21965', 'ids are kept');
  });
});
