import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store';
import type { Store } from '../../src/store/store';
import { makeTempDir } from '../support/temp-dir';

const ROOT = path.resolve(__dirname, '../..');

/** Runs `npm run deliveries -- …` the way an operator does, against the given database. */
function cli(dbFile: string, ...args: string[]): { status: number | null; stdout: string } {
  const result = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'scripts/deliveries.ts', ...args], {
    cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', DATABASE_URL: `sqlite:${dbFile}` }, timeout: 30_000,
  });
  return { status: result.status, stdout: result.stdout + result.stderr };
}

describe('npm run deliveries (dead letters)', function () {
  this.timeout(60_000);
  let temp: ReturnType<typeof makeTempDir>;
  let store: Store;
  let dbFile: string;
  let deadId: number;

  beforeEach(async () => {
    temp = makeTempDir();
    dbFile = path.join(temp.dir, 'k.db');
    store = openSqliteStore(dbFile);
    await store.conversations.upsertConversation({
      id: '19:c@thread.tacv2', type: 'channel', tenantId: 't', serviceUrl: 'https://x/', channelId: 'msteams', teamId: null, botId: 'b', botName: 'klink',
    }, 1);
    const { eventId } = await store.events.recordEvent({ connectionId: 'default', eventType: 'message.inbound', dataId: 'm1', kind: 'message', payload: '{}', receivedAt: 1 });
    await store.deliveries.dispatchEvents([{ eventId, targets: [{ conversationId: '19:c@thread.tacv2', subscriptionIds: [] }] }], 2);
    [{ id: deadId }] = await store.deliveries.listDeliveries({ state: 'pending' }, 1);
    await store.deliveries.markDead(deadId, '400 BadArgument', 4);
  });
  afterEach(async () => {
    await store.close();
    temp.remove();
  });

  it('lists dead deliveries with their last error', () => {
    const { status, stdout } = cli(dbFile, 'dead');
    assert.equal(status, 0);
    assert.match(stdout, new RegExp(`^${deadId}\\s+\\d+\\s+19:c@thread.tacv2\\s+1\\s+400 BadArgument$`, 'm'));
  });

  it('re-queues one by id, and refuses ids that are not dead', async () => {
    const { status, stdout } = cli(dbFile, 'retry', String(deadId));
    assert.equal(status, 0, stdout);
    assert.match(stdout, /1 delivery put back in the queue/);
    const [delivery] = await store.deliveries.listDeliveries({}, 10);
    assert.deepEqual([delivery.state, delivery.attempts], ['pending', 0]);
    assert.equal(cli(dbFile, 'retry', String(deadId)).status, 1);
    assert.equal(cli(dbFile, 'retry', 'abc').status, 2);
  });

  it('re-queues all', async () => {
    assert.match(cli(dbFile, 'retry', 'all').stdout, /1 delivery put back/);
    assert.equal((await store.deliveries.listDeliveries({ state: 'dead' }, 10)).length, 0);
    assert.match(cli(dbFile, 'dead').stdout, /no dead deliveries/);
  });
});
