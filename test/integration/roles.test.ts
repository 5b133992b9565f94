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
    // The worker's own look at the store comes only every hour: within the test the card can only
    // come by the store's signal.
    const worker = await start('worker', 3_600_000);
    assert.equal(web.app.delivery, null, 'the web role delivers nothing');
    const command = channelCommand({ serviceUrl: connector.url, channelId: CHANNEL, tenantId: TENANT }, 'subscribe whatsapp');
    assert.equal(
      (
        await fetch(`${web.url}/api/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(command),
        })
      ).status,
      200,
    );
    await connector.waitForRequests((r) => r.route === 'replyToActivity', 1, 5_000);

    const raw = JSON.stringify(messageEvent({ id: 'split-1' }));
    const response = await fetch(`${web.url}/api/klink/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-signature': signBody(SECRET, raw) },
      body: raw,
    });
    assert.equal(response.status, 200);
    await connector.waitForRequests((r) => r.route === 'createConversation', 1, 5_000);

    assert.equal((await fetch(`${worker.url}/readyz`)).status, 200);
    await waitFor(
      async () => /klink_teams_deliveries_total\{result="delivered"\} 1/.test(await (await fetch(`${worker.url}/metrics`)).text()),
      { timeoutMs: 5_000, what: "the delivery in the worker's metrics" },
    );
    assert.equal((await fetch(`${worker.url}/api/klink/webhook`, { method: 'POST', body: raw })).status, 404, 'a worker takes no webhooks');
  });

  it('all in one process: delivery in its worker thread, with the configuration the process was given', async () => {
    // Not from process.env: the thread must use this configuration (this database), as the endpoints do.
    const both = await start('all');
    const command = channelCommand({ serviceUrl: connector.url, channelId: CHANNEL, tenantId: TENANT }, 'subscribe whatsapp');
    assert.equal(
      (
        await fetch(`${both.url}/api/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(command),
        })
      ).status,
      200,
    );
    await connector.waitForRequests((r) => r.route === 'replyToActivity', 1, 5_000);
    const raw = JSON.stringify(messageEvent({ id: 'thread-1' }));
    const response = await fetch(`${both.url}/api/klink/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-signature': signBody(SECRET, raw) },
      body: raw,
    });
    assert.equal(response.status, 200);
    await connector.waitForRequests((r) => r.route === 'createConversation', 1, 10_000);
    await waitFor(
      async () => /klink_teams_deliveries_total\{result="delivered"\} 1/.test(await (await fetch(`${both.url}/metrics`)).text()),
      { timeoutMs: 5_000, what: "the delivery thread's metrics on the process's /metrics" },
    );
  });

  it('an idle worker looks at the store about once a second', async () => {
    const idleCheckMs = 1_000;
    const worker = await start('worker', idleCheckMs);
    const { deliveries, events, leases, budget } = worker.app.store;
    const sandbox = sinon.createSandbox();
    try {
      const spies = [
        ...['undispatchedEvents', 'nextDueAt', 'renewClaims', 'pendingDeliveriesFor', 'countPending'].map((m) =>
          sandbox.spy(deliveries, m as keyof typeof deliveries),
        ),
        sandbox.spy(events, 'purgeMessageText'),
        sandbox.spy(leases, 'acquireLease'),
        sandbox.spy(budget, 'take'),
      ];
      const lookedAt: number[] = [];
      const claim = deliveries.claimConversations.bind(deliveries);
      const looks = sandbox.stub(deliveries, 'claimConversations').callsFake((...args) => {
        lookedAt.push(Date.now());
        return claim(...args);
      });
      // Three looks, however long they take on a busy machine; a worker that polled would pack them together.
      await waitFor(() => looks.callCount >= 3, { timeoutMs: 10_000, what: 'three looks at the store' });
      const calls = spies.reduce((n, spy) => n + spy.callCount, 0) + looks.callCount;
      for (let i = 1; i < lookedAt.length; i++) {
        const gap = lookedAt[i] - lookedAt[i - 1];
        // A timer may fire a few milliseconds early by Date.now().
        assert.ok(gap >= idleCheckMs - 20, `looks ${gap} ms apart (idle check ${idleCheckMs} ms)`);
      }
      assert.ok(
        calls <= 3 * (looks.callCount + 1),
        `${calls} store calls for ${looks.callCount} looks (a look is three: new events, due conversations, next due time)`,
      );
    } finally {
      sandbox.restore();
    }
  });
});
