import assert from 'node:assert/strict';
import {
  CONVERSATION_WINDOWS, Pacer, type RateWindow, RequestLog, TENANT_WINDOWS,
} from '../../../src/delivery/pacing';

type Release = (answeredAt: number) => void;

const CONV = '19:channel@thread.tacv2';
const TENANT = 'tenant-1';

function acquire(pacer: Pacer, now: number, conversationId = CONV, tenantId = TENANT): Release {
  const slot = pacer.tryAcquire(conversationId, tenantId, now);
  if (typeof slot === 'number') return assert.fail(`${conversationId} at ${now}: refused, wait ${slot} ms`);
  return slot;
}

function refused(pacer: Pacer, now: number, conversationId = CONV, tenantId = TENANT): number {
  const slot = pacer.tryAcquire(conversationId, tenantId, now);
  if (typeof slot !== 'number') return assert.fail(`${conversationId} at ${now}: a slot was granted`);
  assert.ok(slot > 0, `wait ${slot} must be positive`);
  return slot;
}

/** A request sent at `sentAt` and answered at `answeredAt`. */
function send(pacer: Pacer, sentAt: number, answeredAt = sentAt, conversationId = CONV, tenantId = TENANT): void {
  acquire(pacer, sentAt, conversationId, tenantId)(answeredAt);
}

/** The returned wait is exactly long enough: refused 2 ms before it ends, granted when it ends. */
function assertExactWait(pacer: Pacer, now: number, conversationId = CONV, tenantId = TENANT): number {
  const wait = refused(pacer, now, conversationId, tenantId);
  refused(pacer, now + wait - 2, conversationId, tenantId);
  acquire(pacer, now + wait, conversationId, tenantId);
  return wait;
}

/** Deterministic PRNG (mulberry32): the same schedule on every run. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
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

describe('Pacer', () => {
  it('uses Teams\' published limits', () => {
    assert.deepEqual(CONVERSATION_WINDOWS.map((w) => [w.limit, w.ms]), [[7, 1_000], [8, 2_000], [60, 30_000], [1_800, 3_600_000]]);
    assert.deepEqual(TENANT_WINDOWS.map((w) => [w.limit, w.ms]), [[50, 1_000]]);
  });

  describe('per conversation', () => {
    it('grants 7 requests in one second and refuses the 8th', () => {
      const pacer = new Pacer();
      for (let i = 0; i < 7; i++) send(pacer, i * 100, i * 100 + 10);
      refused(pacer, 700);
      // Still refused exactly one second after the first answer.
      refused(pacer, 1_010);
    });

    it('gives a wait after which the 8th request in a second goes through', () => {
      const pacer = new Pacer();
      for (let i = 0; i < 7; i++) send(pacer, i * 10);
      const wait = assertExactWait(pacer, 100);
      assert.ok(wait >= 900 && wait <= 1_000, `wait ${wait}`);
    });

    it('does not count requests to other conversations', () => {
      const pacer = new Pacer();
      for (let i = 0; i < 7; i++) send(pacer, 0);
      refused(pacer, 0);
      acquire(pacer, 0, '19:other@thread.tacv2');
      acquire(pacer, 0, 'a:personal-chat');
    });

    it('enforces 8 in 2 seconds', () => {
      const pacer = new Pacer();
      for (let i = 0; i < 7; i++) send(pacer, 0);
      send(pacer, 1_100); // the 1 s window has room again
      const wait = assertExactWait(pacer, 1_100); // the 9th waits for the first 7 to leave the 2 s window
      assert.ok(wait > 900 && wait <= 1_000, `wait ${wait}`);
    });

    it('enforces 60 in 30 seconds', () => {
      const pacer = new Pacer();
      // 4 every 2.1 s stays within the 1 s and 2 s windows: 60 requests by t = 29.4 s.
      for (let i = 0; i < 60; i++) send(pacer, Math.floor(i / 4) * 2_100);
      // At 29.5 s only the 30 s window is full; the first request (t = 0) leaves it at 30 s plus a small margin.
      const now = 29_500;
      const wait = assertExactWait(pacer, now);
      assert.ok(now + wait > 30_000 && now + wait <= 31_000, `ends at ${now + wait}`);
    });

    it('enforces 1,800 in an hour', () => {
      const pacer = new Pacer();
      // 2 requests every 2 s: 60 per minute, within all shorter windows; 1,800 by t = 1,798 s.
      for (let i = 0; i < 1_800; i++) send(pacer, Math.floor(i / 2) * 2_000);
      assert.equal(pacer.longWindowUse(CONV, 1_800_000), 1);
      const now = 1_800_000;
      const wait = assertExactWait(pacer, now);
      assert.ok(now + wait > 3_600_000 && now + wait <= 3_700_000, `ends at ${now + wait}`);
    });
  });

  describe('per tenant', () => {
    it('allows 50 per second across the tenant\'s conversations, then waits exactly long enough', () => {
      const pacer = new Pacer();
      for (let i = 0; i < 50; i++) send(pacer, i, i, `conv-${i}`);
      const wait = assertExactWait(pacer, 60, 'conv-50');
      assert.ok(wait > 900 && wait <= 1_000, `wait ${wait}`);
    });

    it('does not count other tenants', () => {
      const pacer = new Pacer();
      for (let i = 0; i < 50; i++) send(pacer, 0, 0, `conv-${i}`);
      refused(pacer, 0, 'conv-x', TENANT);
      acquire(pacer, 0, 'conv-y', 'tenant-2');
    });

    it('a conversation waits for the later of its own and its tenant\'s windows', () => {
      const pacer = new Pacer();
      for (let i = 0; i < 43; i++) send(pacer, 0, 0, `other-${i}`);
      for (let i = 0; i < 7; i++) send(pacer, 500);
      // Conversation full until ~1.5 s, tenant until ~1 s.
      const wait = assertExactWait(pacer, 600);
      assert.ok(600 + wait > 1_500, `ends at ${600 + wait}`);
    });
  });

  describe('requests in flight', () => {
    it('occupy the windows until they are answered, however long that takes', () => {
      const pacer = new Pacer();
      const releases = Array.from({ length: 7 }, () => acquire(pacer, 0));
      refused(pacer, 0);
      refused(pacer, 10_000);
      refused(pacer, 3_600_000);
      assert.equal(pacer.headroom(CONV, 10_000), 0);
      releases.forEach((release) => release(3_600_000));
      refused(pacer, 3_600_000); // answered now: they count now
    });

    it('count at their answer time: a late answer pushes the window later', () => {
      const pacer = new Pacer();
      const releases = Array.from({ length: 7 }, () => acquire(pacer, 0));
      releases.forEach((release) => release(5_000));
      refused(pacer, 5_500);
      const wait = assertExactWait(pacer, 5_500);
      assert.ok(5_500 + wait > 6_000, `ends at ${5_500 + wait}`);
    });

    it('mixed with answered ones: the wait is exact', () => {
      const pacer = new Pacer();
      for (let i = 0; i < 4; i++) send(pacer, i);
      const pending = [acquire(pacer, 5), acquire(pacer, 6), acquire(pacer, 7)];
      const wait = assertExactWait(pacer, 10);
      assert.ok(wait > 1_000, `wait ${wait}`);
      pending.forEach((release) => release(20));
    });

    it('only occupying slots gives a short positive wait to look again', () => {
      const pacer = new Pacer();
      for (let i = 0; i < 7; i++) acquire(pacer, 0);
      const wait = refused(pacer, 10_000);
      assert.ok(wait <= 1_000, `look again after ${wait}`);
    });

    it('a release function counts once, however often it is called', () => {
      const pacer = new Pacer();
      const release = acquire(pacer, 0);
      release(10);
      release(20);
      release(30);
      assert.equal(pacer.headroom(CONV, 40), 6);
      for (let i = 0; i < 6; i++) send(pacer, 50);
      refused(pacer, 50);
    });

    it('free their slot when answered and the answer has left the window', () => {
      const pacer = new Pacer();
      const releases = Array.from({ length: 7 }, () => acquire(pacer, 0));
      releases[0](100);
      refused(pacer, 200);
      acquire(pacer, 1_200);
    });
  });

  describe('headroom and longWindowUse', () => {
    it('headroom is what the tightest window still allows, in-flight requests included', () => {
      const pacer = new Pacer();
      assert.equal(pacer.headroom(CONV, 0), 7);
      send(pacer, 0);
      send(pacer, 10);
      send(pacer, 20);
      assert.equal(pacer.headroom(CONV, 30), 4);
      const pending = [acquire(pacer, 30), acquire(pacer, 30)];
      assert.equal(pacer.headroom(CONV, 40), 2);
      pending.forEach((release) => release(50));
      assert.equal(pacer.headroom(CONV, 60), 2);
      // 1.1 s later the 1 s window is empty; the 2 s window (limit 8) holds 5.
      assert.equal(pacer.headroom(CONV, 1_200), 3);
      assert.equal(pacer.headroom(CONV, 2_200), 7);
      assert.equal(pacer.headroom('19:untouched@thread.tacv2', 60), 7);
    });

    it('longWindowUse is the share of the hourly budget answered in the last hour', () => {
      const pacer = new Pacer();
      assert.equal(pacer.longWindowUse(CONV, 0), 0);
      for (let i = 0; i < 900; i++) pacer.record(CONV, TENANT, i * 1_000);
      assert.equal(pacer.longWindowUse(CONV, 900_000), 0.5);
      for (let i = 0; i < 18; i++) pacer.record(CONV, TENANT, 900_000 + i * 1_000);
      assert.equal(pacer.longWindowUse(CONV, 920_000), 0.51);
      // Each record leaves the window an hour (plus the margin) later.
      assert.equal(pacer.longWindowUse(CONV, 10_000_000), 0);
      assert.equal(pacer.longWindowUse('19:untouched@thread.tacv2', 0), 0);
    });
  });

  describe('record', () => {
    it('counts requests recorded from elsewhere (another instance, a restart) against both windows', () => {
      const pacer = new Pacer();
      for (let i = 0; i < 7; i++) pacer.record(CONV, TENANT, 100 + i);
      refused(pacer, 200);
      for (let i = 0; i < 43; i++) pacer.record(`other-${i}`, TENANT, 150);
      refused(pacer, 200, 'conv-new', TENANT);
    });

    it('keeps answers recorded out of order in time order', () => {
      const log = new RequestLog([{ limit: 3, ms: 1_000 }]);
      log.record(900);
      log.record(100);
      log.record(500);
      // The oldest (100) leaves first: after 100 + 1,020 ms.
      const wait = log.waitMs(950);
      assert.ok(log.waitMs(950 + wait - 2) > 0);
      assert.equal(log.waitMs(950 + wait), 0);
      assert.ok(950 + wait < 1_600, `ends at ${950 + wait}`);
    });
  });

  describe('sweep', () => {
    function logCount(pacer: Pacer): number {
      // The maps are private; their size is the memory sweep exists to bound.
      const internals = pacer as unknown as { conversations: Map<string, RequestLog>; tenants: Map<string, RequestLog> };
      return internals.conversations.size + internals.tenants.size;
    }

    it('drops logs whose requests are all older than the longest window', () => {
      const pacer = new Pacer();
      for (let i = 0; i < 20; i++) send(pacer, 0, 10, `conv-${i}`, `tenant-${i % 3}`);
      assert.equal(logCount(pacer), 23);
      pacer.sweep(60_000);
      assert.equal(logCount(pacer), 23 - 3, 'tenants (1 s window) are dropped, conversations (1 h) are kept');
      pacer.sweep(4_000_000);
      assert.equal(logCount(pacer), 0);
    });

    it('keeps logs with requests in flight or still inside a window, and their limits', () => {
      const pacer = new Pacer();
      const pending = Array.from({ length: 7 }, () => acquire(pacer, 0, 'busy'));
      for (let i = 0; i < 1_800; i++) pacer.record('hourly', TENANT, i);
      pacer.sweep(4_000_000 - 3_600_000);
      refused(pacer, 400_000, 'hourly');
      pacer.sweep(10_000_000);
      refused(pacer, 10_000_000, 'busy');
      pending.forEach((release) => release(10_000_000));
      pacer.sweep(20_000_000);
      assert.equal(logCount(pacer), 0);
    });
  });

  describe('RequestLog', () => {
    it('size counts answered and in-flight requests and shrinks as answers age out', () => {
      const log = new RequestLog([{ limit: 5, ms: 1_000 }, { limit: 10, ms: 10_000 }]);
      log.record(0);
      log.begin();
      assert.equal(log.size, 2);
      log.end(5_000);
      assert.equal(log.size, 2);
      log.waitMs(10_100);
      assert.equal(log.size, 2, 'still inside the 10 s window (with its margin)');
      log.waitMs(10_500);
      assert.equal(log.size, 1);
      log.waitMs(15_500);
      assert.equal(log.size, 0);
    });

    it('an end without a begin records the answer and never goes negative', () => {
      const log = new RequestLog([{ limit: 2, ms: 1_000 }]);
      log.end(0);
      assert.equal(log.size, 1);
      log.begin();
      assert.equal(log.headroom(0), 0);
    });
  });

  it('a long random schedule never exceeds a window, measured on answer or arrival times', function () {
    this.timeout(60_000);
    const random = mulberry32(0x6b6c696e);
    const pacer = new Pacer();
    const windows: Record<string, readonly RateWindow[]> = {};
    const conversations: { id: string; tenant: string; nextTry: number }[] = [];
    // Tenant A has more conversations than its 50/s can serve; tenant B has a busy and a bursty one.
    for (let i = 0; i < 30; i++) conversations.push({ id: `a-${i}`, tenant: 'A', nextTry: Math.floor(random() * 2_000) });
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
    let inFlight: { answerAt: number; sentAt: number; release: Release; id: string; tenant: string }[] = [];
    let refusals = 0;
    let grants = 0;
    let nextSweep = 60_000;
    const end = 75 * 60_000;

    let now = 0;
    while (now <= end) {
      let next = Math.min(nextSweep, ...conversations.map((c) => c.nextTry));
      for (const f of inFlight) next = Math.min(next, f.answerAt);
      assert.ok(next >= now, 'time never goes back');
      now = next;

      const due = inFlight.filter((f) => f.answerAt <= now);
      inFlight = inFlight.filter((f) => f.answerAt > now);
      for (const f of due) {
        f.release(f.answerAt);
        // Teams counts the request at some moment between sending and answer.
        const arrivedAt = f.sentAt + Math.floor(random() * (f.answerAt - f.sentAt + 1));
        note(`conversation ${f.id}`, f.answerAt, arrivedAt);
        note(`tenant ${f.tenant}`, f.answerAt, arrivedAt);
      }
      if (now >= nextSweep) {
        pacer.sweep(now);
        nextSweep += 60_000;
      }
      for (const c of conversations) {
        if (c.nextTry > now) continue;
        const slot = pacer.tryAcquire(c.id, c.tenant, now);
        if (typeof slot === 'number') {
          assert.ok(slot > 0 && Number.isFinite(slot), `wait ${slot}`);
          refusals += 1;
          // Mostly obey the wait; sometimes come back early (and must be refused or find room freed by answers).
          c.nextTry = random() < 0.2 ? now + 1 + Math.floor(random() * (slot - 1)) : now + slot;
        } else {
          grants += 1;
          const slow = random() < 0.03;
          const latency = Math.floor(slow ? 1_000 + random() * 8_000 : random() * 400);
          inFlight.push({ answerAt: now + latency, sentAt: now, release: slot, id: c.id, tenant: c.tenant });
          // Busy conversations try again at once; quieter ones after a pause.
          c.nextTry = c.id === 'b-1' && random() < 0.3 ? now + Math.floor(random() * 3_000) : now + Math.floor(random() * 20);
        }
      }
    }
    for (const f of inFlight) {
      f.release(f.answerAt);
      note(`conversation ${f.id}`, f.answerAt, f.answerAt);
      note(`tenant ${f.tenant}`, f.answerAt, f.answerAt);
    }

    assert.ok(grants > 50_000 && refusals > 10_000, `grants ${grants}, refusals ${refusals}`);
    const peaks: Record<string, number> = {};
    for (const [key, list] of Object.entries(windows)) {
      for (const { limit, ms } of list) {
        for (const [label, times] of [['answer', answered[key] ?? []], ['arrival', arrived[key] ?? []]] as const) {
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
    assert.ok(peaks['1800/3600000'] >= 1_750, `peak per hour ${peaks['1800/3600000']}`);
    assert.ok(peaks['50/1000 tenant'] >= 45, `peak tenant per second ${peaks['50/1000 tenant']}`);
  });
});
