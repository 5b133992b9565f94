import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import type { Store } from '../../src/store/store';
import { eachStore } from '../support/each-store';
import { type TestDatabase, createTestDatabase } from '../support/test-database';

const ROOT = path.resolve(__dirname, '../..');

/** Runs `npm run deliveries -- …` the way an operator does, against the given database. */
function cli(databaseUrl: string, ...args: string[]): { status: number | null; stdout: string } {
  const result = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'scripts/deliveries.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', DATABASE_URL: databaseUrl },
    timeout: 30_000,
  });
  return { status: result.status, stdout: result.stdout + result.stderr };
}

eachStore('npm run deliveries (dead letters)', function (kind) {
  this.timeout(60_000);
  let database: TestDatabase;
  let store: Store;
  let deadId: number;

  beforeEach(async () => {
    database = await createTestDatabase(kind);
    store = await database.open();
    await store.conversations.upsertConversation(
      {
        id: '19:c@thread.tacv2',
        type: 'channel',
        tenantId: 't',
        serviceUrl: 'https://x/',
        channelId: 'msteams',
        teamId: null,
        botId: 'b',
        botName: 'klink',
      },
      1,
    );
    const { eventId } = await store.events.recordEvent({
      connectionId: 'default',
      eventType: 'message.inbound',
      dataId: 'm1',
      kind: 'message',
      payload: '{}',
      receivedAt: 1,
    });
    await store.deliveries.dispatchEvents([{ eventId, targets: [{ conversationId: '19:c@thread.tacv2', subscriptionIds: [] }] }], 2);
    [{ id: deadId }] = await store.deliveries.listDeliveries({ state: 'pending' }, 1);
    await store.deliveries.markDead(deadId, '400 BadArgument', 4);
  });
  afterEach(async () => {
    await store.close();
    await database.remove();
  });

  it('lists dead deliveries with their last error', () => {
    const { status, stdout } = cli(database.url, 'dead');
    assert.equal(status, 0);
    assert.match(stdout, new RegExp(`^${deadId}\\s+\\d+\\s+19:c@thread.tacv2\\s+dead\\s+1\\s+400 BadArgument$`, 'm'));
  });

  it('re-queues one by id, and refuses ids that are not dead', async () => {
    const { status, stdout } = cli(database.url, 'retry', String(deadId));
    assert.equal(status, 0, stdout);
    assert.match(stdout, /1 delivery put back in the queue/);
    const [delivery] = await store.deliveries.listDeliveries({}, 10);
    assert.deepEqual([delivery.state, delivery.attempts], ['pending', 0]);
    assert.equal(cli(database.url, 'retry', String(deadId)).status, 1);
    assert.equal(cli(database.url, 'retry', 'abc').status, 2);
  });

  it('shows pending deliveries with the worker that holds their conversation', async () => {
    const { eventId } = await store.events.recordEvent({
      connectionId: 'default',
      eventType: 'message.inbound',
      dataId: 'm2',
      kind: 'message',
      payload: '{}',
      receivedAt: 5,
    });
    await store.deliveries.dispatchEvents([{ eventId, targets: [{ conversationId: '19:c@thread.tacv2', subscriptionIds: [] }] }], 6);
    assert.match(cli(database.url, 'pending').stdout, /^\d+\s+\d+\s+19:c@thread.tacv2\s+pending\s+0\s+in 0 s$/m, 'nobody holds it');
    await store.deliveries.claimConversations({
      holder: 'web-3/4242/abc123',
      now: Date.now(),
      leaseMs: 60_000,
      limit: 1,
      skip: [],
      staleRootsBefore: 0,
    });
    assert.match(cli(database.url, 'pending').stdout, /^\d+\s+\d+\s+19:c@thread.tacv2\s+pending\s+0\s+in 0 s\s+web-3\/4242\/abc123$/m);
  });

  it('traces a klink message: its deliveries and their state', async () => {
    const { status, stdout } = cli(database.url, 'event', 'm1');
    assert.equal(status, 0, stdout);
    assert.match(stdout, /^m1 \(message.inbound, event \d+\) received 1970-01-01T00:00:00.001Z: 1 delivery$/m);
    assert.match(stdout, new RegExp(`^${deadId}\\s+\\d+\\s+19:c@thread.tacv2\\s+dead`, 'm'));
    const unknown = cli(database.url, 'event', 'never-sent');
    assert.equal(unknown.status, 1);
    assert.match(unknown.stdout, /no klink message with id never-sent was received/);
  });

  it('re-queues all', async () => {
    assert.match(cli(database.url, 'retry', 'all').stdout, /1 delivery put back/);
    assert.equal((await store.deliveries.listDeliveries({ state: 'dead' }, 10)).length, 0);
    assert.match(cli(database.url, 'dead').stdout, /no dead deliveries/);
  });
});
