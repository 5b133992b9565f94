/**
 * The bot's answers within a turn take their conversation's budget like delivery does: run
 * through botbuilder's own TestAdapter with the store's real budget (SQLite).
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { type Activity, TestAdapter } from 'botbuilder';
import sinon from 'sinon';
import { MAX_WAIT_MS, ReplyPacing } from '../../../src/bot/reply-pacing';
import { createLogger } from '../../../src/log';
import { openSqliteStore } from '../../../src/store/sqlite/sqlite-store';
import type { Store } from '../../../src/store/store';
import { makeTempDir } from '../../support/temp-dir';

const CHANNEL = '19:general@thread.tacv2';
const TENANT = 'tenant-1';

/** A command typed in a thread of CHANNEL. */
const command: Partial<Activity> = {
  type: 'message',
  text: 'subscriptions',
  channelId: 'msteams',
  serviceUrl: 'https://smba.example.net/emea/',
  conversation: { id: `${CHANNEL};messageid=1`, conversationType: 'channel', isGroup: true, tenantId: TENANT, name: '' },
  channelData: { channel: { id: CHANNEL }, tenant: { id: TENANT } },
  recipient: { id: '28:bot', name: 'klink' },
  from: { id: '29:user', name: 'Mia' },
};

describe("ReplyPacing (answers within a turn count against Teams' limits)", () => {
  let sandbox: sinon.SinonSandbox;
  let clock: sinon.SinonFakeTimers;
  let temp: { dir: string; remove: () => void };
  let store: Store;
  let logs: string[];
  let adapter: TestAdapter;
  let answeredAt: number[];

  beforeEach(async () => {
    sandbox = sinon.createSandbox();
    clock = sandbox.useFakeTimers({ now: Date.parse('2026-11-26T10:00:00Z'), toFake: ['Date', 'setTimeout', 'clearTimeout'] });
    temp = makeTempDir();
    store = openSqliteStore(path.join(temp.dir, 'klink-teams.db'));
    logs = [];
    answeredAt = [];
    adapter = new TestAdapter(async (context) => {
      await context.sendActivity('your subscriptions');
      answeredAt.push(Date.now());
    });
    adapter.use(
      new ReplyPacing({ store, now: () => Date.now(), log: createLogger('debug', { write: (line: string) => void logs.push(line) }) }),
    );
  });

  afterEach(async () => {
    sandbox.restore();
    await store.close();
    temp.remove();
  });

  /** Sends the command and lets fake time run until the turn is over. */
  async function turn(maxMs: number): Promise<void> {
    let done = false;
    const sent = adapter.send(command).then(() => {
      done = true;
    });
    for (let waited = 0; !done && waited <= maxMs; waited += 10) await clock.tickAsync(10);
    await sent;
  }

  const target = { conversationId: CHANNEL, tenantId: TENANT };

  async function record(): Promise<void> {
    await store.conversations.upsertConversation(
      {
        id: CHANNEL,
        type: 'channel',
        tenantId: TENANT,
        serviceUrl: command.serviceUrl ?? '',
        channelId: 'msteams',
        teamId: null,
        botId: '28:bot',
        botName: 'klink',
      },
      Date.now(),
    );
  }

  /** Requests delivery sent at `at`, answered at once. */
  async function spend(count: number, at: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      const slot = await store.budget.take(target, at, { force: true });
      if (slot.granted) await store.budget.answered(slot.slot, at);
    }
  }

  it('takes a slot: the answer counts against the channel (not the thread) and its tenant, at its answer time', async () => {
    await record();
    await turn(100);
    assert.equal(answeredAt.length, 1);
    const slots = await store.budget.slotsSince(0);
    assert.deepEqual(
      slots.map((s) => [s.conversationId, s.tenantId, s.answeredAt !== null]),
      [[CHANNEL, TENANT, true]],
    );
  });

  it("waits for the channel's window when delivery has just spent it, then answers", async () => {
    await record();
    const start = Date.now();
    await spend(7, start);
    await turn(MAX_WAIT_MS);
    assert.equal(answeredAt.length, 1);
    const waited = answeredAt[0] - start;
    assert.ok(waited >= 1_000 && waited < 1_200, `answered after the 1 s window passed (${waited} ms)`);
  });

  it('never drops an answer: after MAX_WAIT_MS it goes anyway, and says so in the log', async () => {
    await record();
    const start = Date.now();
    await spend(1_800, start - 60_000); // the hour's budget is spent
    await turn(MAX_WAIT_MS + 500);
    assert.equal(answeredAt.length, 1);
    assert.ok(answeredAt[0] - start >= MAX_WAIT_MS && answeredAt[0] - start < MAX_WAIT_MS + 100);
    assert.ok(logs.some((line) => line.includes("reply sent over the conversation's budget")));
    assert.equal((await store.budget.slotsSince(start - 1)).length, 1, 'and it still counts');
  });

  it('takes nothing for a conversation the bot has not recorded (a tenant without consent)', async () => {
    await turn(100);
    assert.equal(answeredAt.length, 1);
    assert.deepEqual(await store.budget.slotsSince(0), []);
  });
});
