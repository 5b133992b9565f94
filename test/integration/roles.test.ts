/**
 * PROCESS_ROLE: a web-only instance takes webhooks and a worker-only instance delivers them, told
 * at once through the store (LISTEN/NOTIFY, or between threads on SQLite), not by polling; an
 * idle worker looks at the store about once a second.
 */
import assert from 'node:assert/strict';
import sinon from 'sinon';
import { createApp, type App } from '../../src/app';
import { loadConfig } from '../../src/config';
import { signBody } from '../../src/klink/verify';
import { createLogger } from '../../src/log';
import { type FakeConnector, startFakeConnector } from '../support/fake-connector';
import { messageEvent } from '../support/fixtures';
import { TENANT, channelCommand } from '../support/teams-activities';
import { eachStore } from '../support/each-store';
import { type TestDatabase, createTestDatabase } from '../support/test-database';
import { waitFor } from '../support/wait';

const SECRET = 'roles-secret';
const CHANNEL = '19:roles@thread.tacv2';

eachStore('process roles', function (kind) {
  this.timeout(60_000);
  let database: TestDatabase;
  let connector: FakeConnector;
  const apps: App[] = [];

  beforeEach(async () => {
    database = await createTestDatabase(kind);
    connector = await startFakeConnector();
  });
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
    await connector.close();
    await database.remove();
  });

  async function start(role: 'web' | 'worker' | 'all', idleCheckMs = 1_000): Promise<{ app: App; url: string }> {
    const config = loadConfig({ DATABASE_URL: database.url, KLINK_WEBHOOK_SECRET: SECRET, PROCESS_ROLE: role, LOG_LEVEL: 'silent' });
    const app = await createApp({ ...config, dataDir: database.dir }, createLogger('silent'), { idleCheckMs });
    apps.push(app);
    return { app, url: `http://127.0.0.1:${await app.listen(0)}` };
  }

  it('a web instance takes the webhook, a worker instance delivers it at once, told through the store', async () => {
    const web = await start('web');
    // The worker's own look at the store comes only every 30 s: the card can only come this fast by the store's signal.
    const worker = await start('worker', 30_000);
    assert.equal(web.app.delivery, null, 'the web role delivers nothing');
    const command = channelCommand({ serviceUrl: connector.url, channelId: CHANNEL, tenantId: TENANT }, 'subscribe whatsapp');
    assert.equal((await fetch(`${web.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(command) })).status, 200);
    await connector.waitForRequests((r) => r.route === 'replyToActivity', 1, 5_000);

    const raw = JSON.stringify(messageEvent({ id: 'split-1' }));
    const response = await fetch(`${web.url}/api/klink/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-signature': signBody(SECRET, raw) }, body: raw });
    const acknowledgedAt = Date.now();
    assert.equal(response.status, 200);
    const [card] = await connector.waitForRequests((r) => r.route === 'createConversation', 1, 5_000);
    assert.ok(card.receivedAt - acknowledgedAt < 500, `the card reached Teams ${card.receivedAt - acknowledgedAt} ms after the webhook was acknowledged`);

    assert.equal((await fetch(`${worker.url}/readyz`)).status, 200);
    await waitFor(async () => /klink_teams_deliveries_total\{result="delivered"\} 1/.test(await (await fetch(`${worker.url}/metrics`)).text()),
      { timeoutMs: 5_000, what: 'the delivery in the worker\'s metrics' });
    assert.equal((await fetch(`${worker.url}/api/klink/webhook`, { method: 'POST', body: raw })).status, 404, 'a worker takes no webhooks');
  });

  it('all in one process: delivery in its worker thread, with the configuration the process was given', async () => {
    // Not from process.env: the thread must use this configuration (this database), as the endpoints do.
    const both = await start('all');
    const command = channelCommand({ serviceUrl: connector.url, channelId: CHANNEL, tenantId: TENANT }, 'subscribe whatsapp');
    assert.equal((await fetch(`${both.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(command) })).status, 200);
    await connector.waitForRequests((r) => r.route === 'replyToActivity', 1, 5_000);
    const raw = JSON.stringify(messageEvent({ id: 'thread-1' }));
    const response = await fetch(`${both.url}/api/klink/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-signature': signBody(SECRET, raw) }, body: raw });
    assert.equal(response.status, 200);
    await connector.waitForRequests((r) => r.route === 'createConversation', 1, 10_000);
    await waitFor(async () => /klink_teams_deliveries_total\{result="delivered"\} 1/.test(await (await fetch(`${both.url}/metrics`)).text()),
      { timeoutMs: 5_000, what: 'the delivery thread\'s metrics on the process\'s /metrics' });
  });

  it('an idle worker looks at the store about once a second', async () => {
    const worker = await start('worker', 1_000);
    const { deliveries, events, leases, budget } = worker.app.store;
    const sandbox = sinon.createSandbox();
    try {
      const spies = [
        ...['claimConversations', 'undispatchedEvents', 'nextDueAt', 'renewClaims', 'pendingDeliveriesFor', 'countPending'].map((m) => sandbox.spy(deliveries, m as keyof typeof deliveries)),
        sandbox.spy(events, 'purgeMessageText'), sandbox.spy(leases, 'acquireLease'), sandbox.spy(budget, 'take'),
      ];
      const watched = Date.now();
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      const calls = spies.reduce((n, spy) => n + spy.callCount, 0);
      const looks = (deliveries.claimConversations as sinon.SinonSpy).callCount;
      const seconds = (Date.now() - watched) / 1000;
      assert.ok(looks >= 2 && looks <= seconds + 1, `${looks} looks in ${seconds} s`);
      assert.ok(calls <= 3 * (seconds + 1), `${calls} store calls in ${seconds} s (a look is three: new events, due conversations, next due time)`);
    } finally {
      sandbox.restore();
    }
  });
});
