/**
 * Store contract, Teams' budget: the windows of src/store/budget.ts, exactly, on both stores
 * (SQLite counts in TypeScript, PostgreSQL in teams_budget_take), shared by every taker.
 */
import assert from 'node:assert/strict';
import { CONVERSATION_WINDOWS, IN_FLIGHT_LIMIT_MS, type RateWindow, TENANT_WINDOWS } from '../../../src/store/budget';
import { eachStore } from '../../support/each-store';
import { channel, useStore } from './contract';

const CONV = '19:channel@thread.tacv2';
const TENANT = 'tenant-1';

type Answer = (answeredAt: number) => Promise<void>;

eachStore('store contract: Teams budget', (kind) => {
  const t = useStore(kind);

  async function acquire(now: number, conversationId = CONV, tenantId = TENANT): Promise<Answer> {
    const slot = await t.store.budget.take({ conversationId, tenantId }, now);
    if (!slot.granted) return assert.fail(`${conversationId} at ${now}: refused (${slot.blockedBy}), wait ${slot.waitMs} ms`);
    return (answeredAt) => t.store.budget.answered(slot.slot, answeredAt);
  }

  async function refused(now: number, conversationId = CONV, tenantId = TENANT): Promise<number> {
    const slot = await t.store.budget.take({ conversationId, tenantId }, now);
    if (slot.granted) return assert.fail(`${conversationId} at ${now}: a slot was granted`);
    assert.ok(slot.waitMs > 0, `wait ${slot.waitMs} must be positive`);
    return slot.waitMs;
  }

  /** A request sent at `sentAt` and answered at `answeredAt`. */
  async function send(sentAt: number, answeredAt = sentAt, conversationId = CONV, tenantId = TENANT): Promise<void> {
    await (
      await acquire(sentAt, conversationId, tenantId)
    )(answeredAt);
  }

  /** The returned wait is exactly long enough: refused 2 ms before it ends, granted when it ends. */
  async function assertExactWait(now: number, conversationId = CONV, tenantId = TENANT): Promise<number> {
    const wait = await refused(now, conversationId, tenantId);
    await refused(now + wait - 2, conversationId, tenantId);
    await acquire(now + wait, conversationId, tenantId);
    return wait;
  }

  it("uses Teams' published limits", () => {
    assert.deepEqual(
      CONVERSATION_WINDOWS.map((w) => [w.limit, w.ms]),
      [
        [7, 1_000],
        [8, 2_000],
        [60, 30_000],
        [1_800, 3_600_000],
      ],
    );
    assert.deepEqual(
      TENANT_WINDOWS.map((w) => [w.limit, w.ms]),
      [[50, 1_000]],
    );
  });

  describe('per conversation', () => {
    it('grants 7 requests in one second and refuses the 8th, saying the conversation is full', async () => {
      for (let i = 0; i < 7; i++) await send(i * 100, i * 100 + 10);
      const slot = await t.store.budget.take({ conversationId: CONV, tenantId: TENANT }, 700);
      assert.deepEqual(slot.granted ? null : slot.blockedBy, 'conversation');
      await refused(1_010); // still refused exactly one second after the first answer
    });

    it('gives a wait after which the 8th request in a second goes through', async () => {
      for (let i = 0; i < 7; i++) await send(i * 10);
      const wait = await assertExactWait(100);
      assert.ok(wait >= 900 && wait <= 1_000, `wait ${wait}`);
    });

    it('does not count requests to other conversations', async () => {
      for (let i = 0; i < 7; i++) await send(0);
      await refused(0);
      await acquire(0, '19:other@thread.tacv2');
      await acquire(0, 'a:personal-chat');
    });

    it('enforces 8 in 2 seconds', async () => {
      for (let i = 0; i < 7; i++) await send(0);
      await send(1_100); // the 1 s window has room again
      const wait = await assertExactWait(1_100); // the 9th waits for the first 7 to leave the 2 s window
      assert.ok(wait > 900 && wait <= 1_000, `wait ${wait}`);
    });

    it('enforces 60 in 30 seconds', async () => {
      // 4 every 2.1 s stays within the 1 s and 2 s windows: 60 requests by t = 29.4 s.
      for (let i = 0; i < 60; i++) await send(Math.floor(i / 4) * 2_100);
      const now = 29_500;
      const wait = await assertExactWait(now);
      assert.ok(now + wait > 30_000 && now + wait <= 31_000, `ends at ${now + wait}`);
    });

    it('enforces 1,800 in an hour and reports the hourly use', async () => {
      // 2 requests every 2 s: 60 per minute, within all shorter windows; 1,800 by t = 1,798 s.
      for (let i = 0; i < 1_800; i++) await send(Math.floor(i / 2) * 2_000);
      const now = 1_800_000;
      const wait = await assertExactWait(now);
      assert.ok(now + wait > 3_600_000 && now + wait <= 3_700_000, `ends at ${now + wait}`);
    });

    it('a 429 pause refuses every request until it ends, unless forced', async () => {
      await t.store.conversations.upsertConversation({ ...channel, id: CONV, tenantId: TENANT }, 0);
      await t.store.conversations.pauseConversation(CONV, 5_000);
      const slot = await t.store.budget.take({ conversationId: CONV, tenantId: TENANT }, 1_000);
      assert.deepEqual(slot.granted ? null : [slot.blockedBy, slot.waitMs], ['paused', 4_000]);
      assert.equal((await t.store.budget.take({ conversationId: CONV, tenantId: TENANT }, 1_000, { force: true })).granted, true);
      await acquire(5_000);
    });
  });

  describe('per tenant', () => {
    it("allows 50 per second across the tenant's conversations, then waits exactly long enough, saying the tenant is full", async () => {
      for (let i = 0; i < 50; i++) await send(i, i, `conv-${i}`);
      const slot = await t.store.budget.take({ conversationId: 'conv-50', tenantId: TENANT }, 60);
      assert.equal(slot.granted ? null : slot.blockedBy, 'tenant');
      const wait = await assertExactWait(60, 'conv-50');
      assert.ok(wait > 900 && wait <= 1_000, `wait ${wait}`);
    });

    it('counts a tenant as one whatever the case of its id', async () => {
      for (let i = 0; i < 50; i++) await send(0, 0, `conv-${i}`, i % 2 === 0 ? 'TENANT-A' : 'tenant-a');
      await refused(0, 'conv-x', 'Tenant-A');
    });

    it('does not count other tenants', async () => {
      for (let i = 0; i < 50; i++) await send(0, 0, `conv-${i}`);
      await refused(0, 'conv-x', TENANT);
      await acquire(0, 'conv-y', 'tenant-2');
    });

    it("a conversation waits for the later of its own and its tenant's windows", async () => {
      for (let i = 0; i < 43; i++) await send(0, 0, `other-${i}`);
      for (let i = 0; i < 7; i++) await send(500);
      const wait = await assertExactWait(600);
      assert.ok(600 + wait > 1_500, `ends at ${600 + wait}`);
    });
  });

  describe('requests in flight', () => {
    it('occupy the windows until they are answered, or until they can no longer be (the sender died)', async () => {
      const answers = [];
      for (let i = 0; i < 7; i++) answers.push(await acquire(0));
      await refused(0);
      await refused(10_000);
      assert.ok((await refused(IN_FLIGHT_LIMIT_MS - 1)) <= 1_000, 'while in flight: look again soon');
      // Never answered: they count at IN_FLIGHT_LIMIT_MS, and leave the 1 s window after that.
      await refused(IN_FLIGHT_LIMIT_MS + 500);
      await acquire(IN_FLIGHT_LIMIT_MS + 1_100);
    });

    it('count at their answer time: a late answer pushes the window later', async () => {
      const answers = [];
      for (let i = 0; i < 7; i++) answers.push(await acquire(0));
      for (const answer of answers) await answer(5_000);
      await refused(5_500);
      const wait = await assertExactWait(5_500);
      assert.ok(5_500 + wait > 6_000, `ends at ${5_500 + wait}`);
    });

    it('mixed with answered ones: the wait is exact', async () => {
      for (let i = 0; i < 4; i++) await send(i);
      const pending = [await acquire(5), await acquire(6), await acquire(7)];
      const wait = await assertExactWait(10);
      assert.ok(wait > 0, `wait ${wait}`);
      for (const answer of pending) await answer(20);
    });

    it('an answer counts once, however often it is given', async () => {
      const answer = await acquire(0);
      await answer(10);
      await answer(5_000);
      const [slot] = await t.store.budget.slotsSince(0);
      assert.equal(slot.answeredAt, 10);
      for (let i = 0; i < 6; i++) await send(50);
      await refused(50);
    });
  });

  describe('headroom, hourly use and spare budget', () => {
    it('a grant says what the tightest window still allows after it, in-flight requests included', async () => {
      const headroom = async (now: number, conversationId = CONV): Promise<number> => {
        const slot = await t.store.budget.take({ conversationId, tenantId: TENANT }, now);
        assert.ok(slot.granted);
        return slot.headroom;
      };
      const first = await t.store.budget.take({ conversationId: CONV, tenantId: TENANT }, 0);
      assert.deepEqual(first.granted ? first.headroom : null, 6);
      if (first.granted) await t.store.budget.answered(first.slot, 0);
      await send(10);
      await send(20);
      await acquire(30);
      assert.equal(await headroom(40), 2, '3 answered, 1 in flight, and this one');
      assert.equal(await headroom(60, '19:untouched@thread.tacv2'), 6);
    });

    it('reports the share of the hourly budget answered in the last hour', async () => {
      for (let i = 0; i < 900; i++) await send(i * 1_000);
      const slot = await t.store.budget.take({ conversationId: CONV, tenantId: TENANT }, 900_000);
      assert.ok(slot.granted);
      assert.equal(slot.hourlyUse, 0.5);
    });

    it('optional work takes a slot only with spare budget', async () => {
      for (let i = 0; i < 4; i++) await send(0);
      const spare = { headroom: 4, hourlyShare: 0.5 };
      const refusal = await t.store.budget.take({ conversationId: CONV, tenantId: TENANT }, 10, { spare });
      assert.deepEqual(refusal.granted ? null : refusal.blockedBy, 'spare');
      assert.deepEqual(await t.store.budget.slotsSince(0).then((s) => s.length), 4, 'nothing taken');
      assert.equal((await t.store.budget.take({ conversationId: CONV, tenantId: TENANT }, 2_000, { spare })).granted, true);
    });
  });

  it('prune forgets only slots that no longer count in any window', async () => {
    for (let i = 0; i < 60; i++) await send(Math.floor(i / 4) * 2_100, undefined, 'half-hourly');
    for (let i = 0; i < 7; i++) await acquire(40_000, 'busy');
    await t.store.budget.prune(45_000);
    await refused(29_500, 'half-hourly');
    await refused(45_010, 'busy');
    await t.store.budget.prune(3_800_000);
    assert.deepEqual(await t.store.budget.slotsSince(0), []);
  });

  it('a long random schedule never exceeds a window, measured on answer or arrival times', async function () {
    this.timeout(60_000);
    const random = mulberry32(0x6b6c696e);
    const windows: Record<string, readonly RateWindow[]> = {};
    const conversations: { id: string; tenant: string; nextTry: number }[] = [];
    // Tenant A has more conversations than its 50/s can serve; tenant B has a busy and a bursty one.
    for (let i = 0; i < 8; i++) conversations.push({ id: `a-${i}`, tenant: 'A', nextTry: Math.floor(random() * 2_000) });
    for (let i = 0; i < 2; i++) conversations.push({ id: `b-${i}`, tenant: 'B', nextTry: Math.floor(random() * 2_000) });
    for (const c of conversations) windows[`conversation ${c.id}`] = CONVERSATION_WINDOWS;
    windows['tenant A'] = TENANT_WINDOWS;
    windows['tenant B'] = TENANT_WINDOWS;

    const answered: Record<string, number[]> = {};
    const arrived: Record<string, number[]> = {};
    const note = (key: string, answeredAt: number, arrivedAt: number): void => {
      (answered[key] ??= []).push(answeredAt);
      (arrived[key] ??= []).push(arrivedAt);
    };
    let inFlight: { answerAt: number; sentAt: number; answer: Answer; id: string; tenant: string }[] = [];
    let refusals = 0;
    let grants = 0;
    let nextPrune = 60_000;
    const end = 5 * 60_000;

    let now = 0;
    while (now <= end) {
      let next = Math.min(nextPrune, ...conversations.map((c) => c.nextTry));
      for (const f of inFlight) next = Math.min(next, f.answerAt);
      assert.ok(next >= now, 'time never goes back');
      now = next;

      const due = inFlight.filter((f) => f.answerAt <= now);
      inFlight = inFlight.filter((f) => f.answerAt > now);
      for (const f of due) {
        await f.answer(f.answerAt);
        // Teams counts the request at some moment between sending and answer.
        const arrivedAt = f.sentAt + Math.floor(random() * (f.answerAt - f.sentAt + 1));
        note(`conversation ${f.id}`, f.answerAt, arrivedAt);
        note(`tenant ${f.tenant}`, f.answerAt, arrivedAt);
      }
      if (now >= nextPrune) {
        await t.store.budget.prune(now);
        nextPrune += 60_000;
      }
      for (const c of conversations) {
        if (c.nextTry > now) continue;
        const slot = await t.store.budget.take({ conversationId: c.id, tenantId: c.tenant }, now);
        if (!slot.granted) {
          assert.ok(slot.waitMs > 0 && Number.isFinite(slot.waitMs), `wait ${slot.waitMs}`);
          refusals += 1;
          // Mostly obey the wait; sometimes come back early (and must be refused or find room freed by answers).
          c.nextTry = random() < 0.2 ? now + 1 + Math.floor(random() * (slot.waitMs - 1)) : now + slot.waitMs;
        } else {
          grants += 1;
          const slow = random() < 0.03;
          const latency = Math.floor(slow ? 1_000 + random() * 8_000 : random() * 400);
          inFlight.push({
            answerAt: now + latency,
            sentAt: now,
            answer: (at) => t.store.budget.answered(slot.slot, at),
            id: c.id,
            tenant: c.tenant,
          });
          // Busy conversations try again at once; quieter ones after a pause.
          c.nextTry = c.id === 'b-1' && random() < 0.3 ? now + Math.floor(random() * 3_000) : now + Math.floor(random() * 20);
        }
      }
    }
    for (const f of inFlight) {
      await f.answer(f.answerAt);
      note(`conversation ${f.id}`, f.answerAt, f.answerAt);
      note(`tenant ${f.tenant}`, f.answerAt, f.answerAt);
    }

    assert.ok(grants > 2_000 && refusals > 1_000, `grants ${grants}, refusals ${refusals}`);
    const peaks: Record<string, number> = {};
    for (const [key, list] of Object.entries(windows)) {
      for (const { limit, ms } of list) {
        for (const [label, times] of [
          ['answer', answered[key] ?? []],
          ['arrival', arrived[key] ?? []],
        ] as const) {
          const most = busiest(times, ms);
          assert.ok(most <= limit, `${key}: ${most} ${label}s within ${ms} ms (limit ${limit})`);
          const peak = `${limit}/${ms}${key.startsWith('tenant') ? ' tenant' : ''}`;
          peaks[peak] = Math.max(peaks[peak] ?? 0, most);
        }
      }
    }
    // The schedule pressed against every limit, so the checks above meant something.
    assert.ok(peaks['7/1000'] === 7, `peak per second ${peaks['7/1000']}`);
    assert.ok(peaks['8/2000'] === 8, `peak per 2 s ${peaks['8/2000']}`);
    assert.ok(peaks['60/30000'] >= 58, `peak per 30 s ${peaks['60/30000']}`);
    assert.ok(peaks['50/1000 tenant'] >= 45, `peak tenant per second ${peaks['50/1000 tenant']}`);
  });
});

/** Deterministic PRNG (mulberry32): the same schedule on every run. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Most events in any closed interval of `ms` milliseconds. */
function busiest(times: number[], ms: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while (sorted[end] - sorted[start] > ms) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}
