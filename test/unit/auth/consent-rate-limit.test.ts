/** The consent callback's limit on checks with Entra: per client, overall, a sliding window, bounded memory. */
import assert from 'node:assert/strict';
import { ConsentRateLimit } from '../../../src/auth/consent-rate-limit';

describe('ConsentRateLimit', () => {
  const settings = { perClient: 2, overall: 3, windowMs: 1_000, maxClients: 2 };
  let now: number;
  let limit: ConsentRateLimit;
  beforeEach(() => {
    now = 10_000;
    limit = new ConsentRateLimit(() => now, settings);
  });

  it('allows a client its share, then says how long to wait until the oldest check leaves the window', () => {
    assert.deepEqual([limit.take('a'), limit.take('a')], [{ allowed: true }, { allowed: true }]);
    now += 400;
    // 600 ms until the first check leaves the window; a wait is never said to be under a second.
    assert.deepEqual(limit.take('a'), { allowed: false, retryAfterMs: 1_000 });
    now += 600;
    assert.deepEqual(limit.take('a'), { allowed: true }, 'the window slid past the first check');
  });

  it('refuses every client once the overall limit is reached', () => {
    limit.take('a');
    limit.take('b');
    limit.take('c');
    assert.equal(limit.take('d').allowed, false);
    now += 1_000;
    assert.equal(limit.take('d').allowed, true);
  });

  it('remembers a bounded number of clients: the least recently seen is forgotten first', () => {
    limit = new ConsentRateLimit(() => now, { ...settings, overall: 100 });
    limit.take('a');
    limit.take('a');
    limit.take('b');
    limit.take('c');
    assert.equal(limit.take('a').allowed, true, 'a was forgotten when c came (two clients at most)');
  });
});
