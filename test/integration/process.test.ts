/**
 * The real server as a child process: killed with SIGKILL under load it loses nothing it
 * acknowledged; stopped with SIGTERM it stops taking webhooks and exits within a bounded time.
 */
import assert from 'node:assert/strict';
import { type FakeConnector, startFakeConnector } from '../support/fake-connector';
import { messageEvent } from '../support/fixtures';
import { type ServerProcess, freePort, postWebhook, startServer, subscribeThrough } from '../support/server-process';
import { eachStore } from '../support/each-store';
import { type TestDatabase, createTestDatabase } from '../support/test-database';
import { deliveryReport } from '../support/delivery-report';
import { waitFor } from '../support/wait';

eachStore('the server process', (kind) => {
  let database: TestDatabase;
  let connector: FakeConnector;
  let server: ServerProcess | null = null;

  beforeEach(async function () {
    this.timeout(120_000);
    database = await createTestDatabase(kind);
    connector = await startFakeConnector();
  });
  afterEach(async () => {
    await server?.kill();
    await connector.close();
    await database.remove();
  });

  it('kill -9 under load loses nothing that was acknowledged; after restart every acknowledged event is delivered', async function () {
    this.timeout(120_000);
    const port = await freePort();
    server = await startServer(database.url, port);
    const channels = Array.from({ length: 10 }, (_, i) => `19:crash-${i}@thread.tacv2`);
    for (const channel of channels) await subscribeThrough(server, connector, channel);
    // Slow answers keep deliveries in flight when the process dies.
    connector.respondWith({ match: { route: ['createConversation', 'sendToConversation'] }, delayMs: 30, times: Infinity });

    const acknowledged: string[] = [];
    const running = server;
    let sent = 0;
    const load = Array.from({ length: 8 }, async () => {
      while (sent < 400) {
        const id = `crash-${sent++}`;
        try {
          if ((await postWebhook(running.url, messageEvent({ id, roomId: `room-${sent % 25}` }))).status === 200) acknowledged.push(id);
        } catch {
          return; // the process is gone: this request was not acknowledged
        }
      }
    });
    await waitFor(
      () => acknowledged.length >= 150 && connector.requests.some((r) => r.route === 'createConversation' && r.response?.status === 201),
      { timeoutMs: 30_000, what: '150 acknowledged webhooks and some deliveries' },
    );
    running.child.kill('SIGKILL');
    assert.equal((await running.exited).signal, 'SIGKILL');
    await Promise.all(load);
    assert.ok(acknowledged.length < 400, 'killed under load, not after it');

    server = await startServer(database.url, port);
    const store = await database.open();
    try {
      assert.equal(
        (await deliveryReport(store, acknowledged, channels.length)).stored,
        acknowledged.length,
        'every acknowledged event is in the store',
      );
      const report = await waitFor(
        async () => {
          const now = await deliveryReport(store, acknowledged, channels.length);
          return now.undelivered.length === 0 && now;
        },
        { timeoutMs: 60_000, intervalMs: 200, what: 'every acknowledged event delivered to all 10 channels' },
      );
      // Duplicates are limited to the requests in flight at the kill: posts Teams accepted that no delivery points at.
      const accepted = connector.requests.filter(
        (r) => (r.route === 'createConversation' || r.route === 'sendToConversation') && r.response?.status === 201 && r.activityId,
      );
      const orphans = accepted.filter((r) => !report.activityIds.has(r.activityId ?? '')).length;
      assert.ok(orphans <= 64, `${orphans} posts were sent twice (at most the 64 turns in flight)`);
    } finally {
      await store.close();
    }
  });

  it('SIGTERM stops taking webhooks, finishes what is in flight and exits within a bounded time', async function () {
    this.timeout(120_000);
    const port = await freePort();
    server = await startServer(database.url, port);
    await subscribeThrough(server, connector, '19:term@thread.tacv2');
    connector.respondWith({ match: { route: 'createConversation' }, delayMs: 1500, times: Infinity });
    assert.equal((await postWebhook(server.url, messageEvent({ id: 'term-1' }))).status, 200);
    await connector.waitForRequests((r) => r.route === 'createConversation', 1, 10_000);

    const stoppingAt = Date.now();
    server.child.kill('SIGTERM');
    // Until the signal is handled a webhook may still be taken: then it must be delivered before exit.
    const accepted: string[] = [];
    const refused = await waitFor(
      async () => {
        const id = `term-after-${accepted.length}`;
        try {
          if ((await postWebhook(server?.url ?? '', messageEvent({ id, roomId: 'room-after' }))).status === 200) accepted.push(id);
          return false;
        } catch {
          return true;
        }
      },
      { timeoutMs: 5_000, what: 'new webhooks to be refused' },
    );
    assert.equal(refused, true);
    const { code } = await server.exited;
    const tookMs = Date.now() - stoppingAt;
    assert.equal(code, 0, server.output.join('').slice(-3000));
    assert.ok(tookMs < 15_000, `exited after ${tookMs} ms`);

    const store = await database.open();
    try {
      const first = await deliveryReport(store, ['term-1'], 1);
      assert.deepEqual(
        first.deliveries.map((d) => d.state),
        ['delivered'],
        'the delivery in flight was finished before exit',
      );
      const after = await store.events.findEvents(accepted);
      assert.deepEqual(
        after.map((e) => e.dataId),
        accepted,
        'every webhook answered 200 is stored',
      );
      // What was taken but not yet sent is returned to the store and goes out after a restart.
      server = await startServer(database.url, port);
      await waitFor(async () => (await deliveryReport(store, accepted, 1)).undelivered.length === 0, {
        timeoutMs: 10_000,
        what: 'the webhooks taken during shutdown to be delivered after restart',
      });
    } finally {
      await store.close();
    }
  });
});
