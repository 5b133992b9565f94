/**
 * Several instances of the real server (child processes, delivery in their worker threads) on
 * one PostgreSQL database: webhooks to any of them, every acknowledged event delivered to every
 * matching channel once, within Teams' windows counted over all instances, in order, never by
 * two instances at once — also when one of them is killed under load.
 */
import assert from 'node:assert/strict';
import { MIGRATIONS } from '../../src/store/postgres/migrations';
import type { Store } from '../../src/store/store';
import { assertOneSenderAtATime, assertWithinTeamsLimits } from '../support/connector-checks';
import { deliveryReport } from '../support/delivery-report';
import { type FakeConnector, startFakeConnector } from '../support/fake-connector';
import { messageEvent } from '../support/fixtures';
import { type ServerProcess, freePort, postWebhook, startServer, subscribeThrough } from '../support/server-process';
import { type TestDatabase, createTestDatabase } from '../support/test-database';
import { waitFor } from '../support/wait';

const TENANTS = ['tenant-a', 'tenant-b', 'tenant-c', 'tenant-d', 'tenant-e'];
const CHANNELS_PER_TENANT = 40;
const ROOMS = 10;
/** The claim lease of a worker (src/delivery/delivery-worker.ts): a dead instance's conversations move within it. */
const CLAIM_LEASE_MS = 30_000;

describe('several instances on one PostgreSQL database', function () {
  this.timeout(240_000);
  let database: TestDatabase;
  let connector: FakeConnector;
  let servers: ServerProcess[] = [];
  let store: Store;
  const tenantOf = new Map<string, string>();
  const channels: string[] = [];

  beforeEach(async () => {
    database = await createTestDatabase('postgres');
    connector = await startFakeConnector();
    // Teams answers in 20 ms: requests are in flight long enough for overlaps to show.
    connector.respondWith({ match: { route: ['createConversation', 'sendToConversation'] }, delayMs: 20, times: Infinity });
    channels.length = 0;
    for (const tenant of TENANTS) {
      for (let i = 0; i < CHANNELS_PER_TENANT; i++) {
        const channel = `19:${tenant}-${i}@thread.tacv2`;
        channels.push(channel);
        tenantOf.set(channel, tenant);
      }
    }
  });
  afterEach(async () => {
    await Promise.all(servers.map((s) => s.kill()));
    servers = [];
    await store?.close();
    await connector.close();
    await database.remove();
  });

  /** Three instances started at once on the (empty) database; every channel subscribes through one of them in turn. */
  async function startFleet(): Promise<void> {
    servers = await Promise.all([0, 1, 2].map(async () => startServer(database.url, await freePort())));
    store = await database.open();
    for (let i = 0; i < channels.length; i += 12) {
      await Promise.all(
        channels.slice(i, i + 12).map((channel, j) => subscribeThrough(servers[(i + j) % 3], connector, channel, tenantOf.get(channel))),
      );
    }
    connector.reset();
  }

  /** When each acknowledged webhook was sent and acknowledged. */
  const timing = new Map<string, { sentAt: number; ackedAt: number }>();

  /** Sends `count` message webhooks round-robin to the live servers, 8 at a time; resolves with the acknowledged ids. */
  async function load(count: number, prefix: string, live: () => ServerProcess[], onSent?: (n: number) => void): Promise<string[]> {
    const acknowledged: string[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < count) {
          const n = next++;
          const targets = live();
          const server = targets[n % targets.length];
          try {
            const sentAt = Date.now();
            const { status, result } = await postWebhook(server.url, messageEvent({ id: `${prefix}-${n}`, roomId: `room-${n % ROOMS}` }));
            if (status === 200 && result === 'stored') {
              acknowledged.push(`${prefix}-${n}`);
              timing.set(`${prefix}-${n}`, { sentAt, ackedAt: Date.now() });
            }
          } catch {
            // That instance is gone: not acknowledged, klink would send it again.
          }
          onSent?.(n);
        }
      }),
    );
    return acknowledged;
  }

  /**
   * Per conversation, a message klink had acknowledged before it sent another reaches Teams no
   * later than that other (concurrent webhooks have no order); one thread root per room.
   */
  async function assertOrderAndThreads(dataIds: string[]): Promise<void> {
    const report = await deliveryReport(store, dataIds, channels.length);
    const arrival = new Map(connector.requests.filter((r) => r.activityId).map((r) => [r.activityId, r.receivedAt]));
    const events = new Map((await store.events.findEvents(dataIds)).map((e) => [e.id, e]));
    const byConversation = new Map<string, typeof report.deliveries>();
    for (const d of report.deliveries) byConversation.set(d.conversationId, [...(byConversation.get(d.conversationId) ?? []), d]);
    let ordered = 0;
    for (const [conversationId, list] of byConversation) {
      const items = list.map((d) => {
        const dataId = events.get(d.eventId)?.dataId ?? '';
        return { dataId, at: arrival.get(d.activityId ?? '') ?? NaN, ...(timing.get(dataId) ?? { sentAt: NaN, ackedAt: NaN }) };
      });
      for (const a of items) {
        for (const b of items) {
          if (!(a.ackedAt < b.sentAt)) continue;
          ordered += 1;
          assert.ok(
            a.at <= b.at,
            `${conversationId}: ${b.dataId} reached Teams before ${a.dataId}, which was acknowledged before ${b.dataId} was sent`,
          );
        }
      }
      const roots = new Map<string, number>();
      for (const d of list.filter((x) => x.via === 'post')) {
        const room = events.get(d.eventId)?.roomId ?? '';
        roots.set(room, (roots.get(room) ?? 0) + 1);
      }
      for (const [room, count] of roots) assert.equal(count, 1, `${conversationId}: ${count} thread roots for ${room}`);
    }
    assert.ok(ordered > 1_000, `${ordered} ordered pairs checked`);
  }

  it("any instance takes webhooks; every acknowledged event reaches every channel once, in order, within Teams' limits, one sender at a time", async () => {
    await startFleet();
    const acknowledged = await load(60, 'fleet', () => servers);
    assert.equal(acknowledged.length, 60, 'every webhook was acknowledged');
    // A webhook klink sends again, to another instance, is still a duplicate.
    assert.equal((await postWebhook(servers[1].url, messageEvent({ id: 'fleet-0', roomId: 'room-0' }))).result, 'duplicate');
    await waitFor(async () => (await deliveryReport(store, acknowledged, channels.length)).undelivered.length === 0, {
      timeoutMs: 120_000,
      intervalMs: 500,
      what: 'every event delivered to all the channels',
    });
    const report = await deliveryReport(store, acknowledged, channels.length);
    assert.equal(report.deliveries.length, acknowledged.length * channels.length, 'one delivery per event and channel');
    assertWithinTeamsLimits(connector.requests, (channel) => tenantOf.get(channel) ?? '?');
    assertOneSenderAtATime(connector.requests);
    await assertOrderAndThreads(acknowledged);
    const posted = connector.requests.filter((r) => r.route === 'createConversation' || r.route === 'sendToConversation');
    assert.equal(posted.filter((r) => !report.activityIds.has(r.activityId ?? '')).length, 0, 'nothing was posted twice');
    const working = servers.filter((s) => /"msg":"(card|digest) delivered"/.test(s.output.join(''))).length;
    assert.ok(working >= 2, `${working} of 3 instances delivered: the work is shared`);
  });

  it('one instance killed under load: nothing acknowledged is lost, its conversations carry on elsewhere within the lease', async () => {
    await startFleet();
    const victim = servers[0];
    let killedAt = 0;
    const alive = () => (killedAt === 0 ? servers : servers.slice(1));
    const acknowledged = await load(90, 'kill', alive, (n) => {
      if (n === 40 && killedAt === 0) {
        killedAt = Date.now();
        victim.child.kill('SIGKILL');
      }
    });
    assert.equal((await victim.exited).signal, 'SIGKILL');
    assert.ok(acknowledged.length >= 60, `${acknowledged.length} acknowledged`);
    await waitFor(async () => (await deliveryReport(store, acknowledged, channels.length)).undelivered.length === 0, {
      timeoutMs: 120_000,
      intervalMs: 500,
      what: 'every acknowledged event delivered to all the channels',
    });
    const report = await deliveryReport(store, acknowledged, channels.length);
    assertWithinTeamsLimits(connector.requests, (channel) => tenantOf.get(channel) ?? '?');
    await assertOrderAndThreads(acknowledged);
    // Posts Teams took that no delivery points at were sent twice: at most what the dead instance had in flight.
    const posted = connector.requests.filter(
      (r) => (r.route === 'createConversation' || r.route === 'sendToConversation') && r.response?.status === 201,
    );
    const twice = posted.filter((r) => !report.activityIds.has(r.activityId ?? '')).length;
    assert.ok(twice <= 64, `${twice} posts sent twice (at most one per conversation the dead instance was sending to)`);
    // Conversations the dead instance was serving went quiet at most for the lease (plus a look).
    for (const [channel, list] of groupByChannel(connector.requests)) {
      const before = list.filter((t) => t < killedAt);
      const after = list.filter((t) => t >= killedAt);
      if (before.length === 0 || after.length === 0) continue;
      const gap = after[0] - killedAt;
      assert.ok(gap <= CLAIM_LEASE_MS + 5_000, `${channel}: next request ${gap} ms after the kill`);
    }
  });

  it('two instances starting at once on an empty database both come up, on one schema', async () => {
    servers = await Promise.all([0, 1].map(async () => startServer(database.url, await freePort())));
    store = await database.open();
    const counts = await store.rowCounts();
    assert.equal(counts.schema_migrations, MIGRATIONS.length, 'each migration applied once');
    for (const server of servers) assert.equal((await fetch(`${server.url}/readyz`)).status, 200);
    await subscribeThrough(servers[0], connector, channels[0], tenantOf.get(channels[0]));
    const first = await postWebhook(servers[0].url, messageEvent({ id: 'start-1' }));
    const second = await postWebhook(servers[1].url, messageEvent({ id: 'start-2', roomId: 'room-2' }));
    assert.deepEqual([first.result, second.result], ['stored', 'stored']);
    await waitFor(async () => (await deliveryReport(store, ['start-1', 'start-2'], 1)).undelivered.length === 0, {
      timeoutMs: 20_000,
      what: 'both delivered',
    });
  });
});

function groupByChannel(requests: FakeConnector['requests']): Map<string, number[]> {
  const byChannel = new Map<string, number[]>();
  for (const r of requests) {
    if (!r.channelId || !['createConversation', 'sendToConversation'].includes(r.route)) continue;
    byChannel.set(r.channelId, [...(byChannel.get(r.channelId) ?? []), r.receivedAt]);
  }
  return byChannel;
}
