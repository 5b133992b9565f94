import assert from 'node:assert/strict';
import { decideAfterFailure, type FailureDecision, MAX_ATTEMPTS, MAX_SHRINK } from '../../../src/delivery/retry-policy';
import { TeamsSendError } from '../../../src/teams/sender';

function failure(status: number | null, code: string | null = null, retryAfterMs: number | null = null): TeamsSendError {
  return new TeamsSendError(`test failure ${status}`, status, code, retryAfterMs);
}

const never = (): number => assert.fail('random() must not be used for this decision');

function decide(error: TeamsSendError, attempts = 1, shrink = 0, random: () => number = () => 0.5): FailureDecision {
  return decideAfterFailure(error, attempts, shrink, random);
}

function retryDelay(status: number | null, attempts: number, random: number): number {
  const decision = decide(failure(status, status === null ? 'Timeout' : null), attempts, 0, () => random);
  if (decision.action !== 'retry') return assert.fail(`${status} at attempt ${attempts}: expected retry, got ${decision.action}`);
  return decision.delayMs;
}

/** Teams statuses worth another try, and no answer at all (timeout, connection error). */
const TRANSIENT: (number | null)[] = [412, 500, 502, 503, 504, null];
/** Closest value below 1 that Math.random() can return. */
const ALMOST_ONE = 1 - Number.EPSILON;

describe('decideAfterFailure', () => {
  describe('429 Throttled', () => {
    it('pauses the conversation for Retry-After', () => {
      const decision = decide(failure(429, 'Throttled', 12_000), 1, 0, never);
      assert.equal(decision.action, 'throttled');
      assert.equal((decision as { pauseMs: number }).pauseMs, 12_000);
      assert.match(decision.reason, /429/);
    });

    it('pauses for a default of some seconds when Retry-After is absent', () => {
      const decision = decide(failure(429, 'Throttled', null), 1, 0, never);
      assert.equal(decision.action, 'throttled');
      const { pauseMs } = decision as { pauseMs: number };
      assert.ok(pauseMs >= 1_000 && pauseMs <= 60_000, `default pause ${pauseMs} ms`);
    });

    it('is not a plain retry even at the last attempt', () => {
      assert.equal(decide(failure(429, 'Throttled', 3_000), MAX_ATTEMPTS - 1).action, 'throttled');
    });
  });

  describe('413 MessageSizeTooBig', () => {
    it('asks for a smaller card until MAX_SHRINK smaller cards were tried, then gives up', () => {
      for (let shrink = 0; shrink < MAX_SHRINK; shrink++) {
        assert.equal(decide(failure(413, 'MessageSizeTooBig'), 1, shrink, never).action, 'shrink', `shrink ${shrink}`);
      }
      const dead = decide(failure(413, 'MessageSizeTooBig'), 1, MAX_SHRINK, never);
      assert.equal(dead.action, 'dead');
      assert.match(dead.reason, /413/);
      assert.equal(decide(failure(413, 'MessageSizeTooBig'), 1, MAX_SHRINK + 1, never).action, 'dead');
    });

    it('never resends the same card, whatever the attempt count', () => {
      assert.equal(decide(failure(413, 'MessageSizeTooBig'), MAX_ATTEMPTS - 1, 0, never).action, 'shrink');
    });
  });

  it('401 is a credentials problem, not something to retry', () => {
    for (const code of ['BotNotRegistered', 'Unauthorized', null]) {
      const decision = decide(failure(401, code), 1, 0, never);
      assert.equal(decision.action, 'credentials', String(code));
      assert.match(decision.reason, /401/);
    }
  });

  describe('the bot can no longer post there', () => {
    for (const code of ['BotNotInConversationRoster', 'ConversationBlockedByUser', 'BotDisabledByAdmin']) {
      it(`403 ${code} deactivates the conversation, naming the code`, () => {
        for (const attempts of [1, MAX_ATTEMPTS]) {
          const decision = decide(failure(403, code), attempts, 0, never);
          assert.equal(decision.action, 'deactivate');
          assert.match(decision.reason, new RegExp(`403 ${code}`));
        }
      });
    }

    it('404 ConversationNotFound deactivates the conversation', () => {
      const decision = decide(failure(404, 'ConversationNotFound'), 1, 0, never);
      assert.equal(decision.action, 'deactivate');
      assert.match(decision.reason, /404 ConversationNotFound/);
    });
  });

  it('403 with another code is dead (the conversation stays active)', () => {
    for (const code of ['Forbidden', 'InsufficientPermissions', 'BotNotInConversationRosterX']) {
      assert.equal(decide(failure(403, code), 1, 0, never).action, 'dead', code);
    }
  });

  it('a service URL that is not https is dead at once: no request was made, and another try cannot change it', () => {
    assert.deepEqual(decide(failure(null, 'InsecureServiceUrl'), 1, 0, never), {
      action: 'dead',
      reason: 'no answer InsecureServiceUrl: the service URL is not https',
    });
  });

  it('400 and other client errors are dead at once', () => {
    for (const status of [400, 405, 409, 415, 422]) {
      assert.equal(decide(failure(status, 'BadArgument'), 1, 0, never).action, 'dead', String(status));
    }
  });

  describe('transient failures', () => {
    for (const status of TRANSIENT) {
      it(`${status ?? 'no answer'} is retried until MAX_ATTEMPTS, then dead`, () => {
        for (let attempts = 1; attempts < MAX_ATTEMPTS; attempts++) {
          assert.equal(decide(failure(status, status === null ? 'Timeout' : null), attempts).action, 'retry', `attempt ${attempts}`);
        }
        for (const attempts of [MAX_ATTEMPTS, MAX_ATTEMPTS + 1]) {
          const dead = decide(failure(status, status === null ? 'ECONNREFUSED' : null), attempts, 0, never);
          assert.equal(dead.action, 'dead');
          assert.match(dead.reason, new RegExp(`after ${attempts} attempts`));
        }
      });
    }

    it('names the failure in the reason', () => {
      assert.match(decide(failure(503, 'ServiceUnavailable')).reason, /503 ServiceUnavailable/);
      assert.match(decide(failure(null, 'Timeout')).reason, /Timeout/);
    });

    it('waits exponentially longer with every attempt', () => {
      for (const status of TRANSIENT) {
        for (let attempts = 1; attempts < MAX_ATTEMPTS - 1; attempts++) {
          assert.equal(retryDelay(status, attempts + 1, 0), 2 * retryDelay(status, attempts, 0), `${status} attempt ${attempts}`);
        }
      }
      assert.ok(retryDelay(503, 1, 0) >= 250, 'the first retry is not immediate');
    });

    it('jitters within [backoff/2, backoff] using the injected random', () => {
      for (let attempts = 1; attempts < MAX_ATTEMPTS; attempts++) {
        const low = retryDelay(503, attempts, 0);
        const high = retryDelay(503, attempts, ALMOST_ONE);
        const backoff = 2 * low;
        assert.ok(Math.abs(high - backoff) <= 1, `attempt ${attempts}: ${high} ≈ ${backoff}`);
        const middle = retryDelay(503, attempts, 0.5);
        assert.ok(Math.abs(middle - 0.75 * backoff) <= 1, `attempt ${attempts}: ${middle} ≈ 0.75 × ${backoff}`);
        let last = low;
        for (const r of [0.1, 0.3, 0.6, 0.9]) {
          const delay = retryDelay(503, attempts, r);
          assert.ok(delay >= last && delay >= backoff / 2 && delay <= backoff, `attempt ${attempts}, random ${r}: ${delay}`);
          last = delay;
        }
      }
    });

    it('asks random() for the jitter', () => {
      let calls = 0;
      decideAfterFailure(failure(502), 2, 0, () => {
        calls += 1;
        return 0.25;
      });
      assert.equal(calls, 1);
    });

    it('stays bounded: no single wait beyond 5 minutes', () => {
      for (let attempts = 1; attempts < MAX_ATTEMPTS; attempts++) {
        assert.ok(retryDelay(null, attempts, ALMOST_ONE) <= 5 * 60_000, `attempt ${attempts}`);
      }
    });
  });
});
