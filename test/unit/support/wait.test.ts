import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { waitFor, waitForEvent, WaitTimeoutError } from '../../support/wait';

describe('test/support/wait', () => {
  it('resolves with the first defined value the probe returns', async () => {
    let calls = 0;
    const value = await waitFor(() => (++calls >= 3 ? { calls } : undefined), { timeoutMs: 1000, intervalMs: 1, what: 'three calls' });
    assert.deepEqual(value, { calls: 3 });
  });

  it('accepts async probes', async () => {
    assert.equal(await waitFor(async () => 'ready', { timeoutMs: 100, what: 'ready' }), 'ready');
  });

  it('times out naming what it waited for and the last probe failure', async () => {
    let n = 0;
    await assert.rejects(
      waitFor(
        () => {
          n += 1;
          throw new Error('not there');
        },
        { timeoutMs: 20, intervalMs: 5, what: () => `the thing (${n} probes)` },
      ),
      (error: unknown) => {
        assert.ok(error instanceof WaitTimeoutError);
        assert.match(error.message, /^timed out after 20 ms waiting for the thing \(\d+ probes\) \(last probe failed: not there\)$/);
        return true;
      },
    );
  });

  it('waits for an accepted event and stops listening', async () => {
    const emitter = new EventEmitter();
    const waiting = waitForEvent<[number]>(emitter, 'tick', { timeoutMs: 1000, what: 'tick 2', accept: (n) => n === 2 });
    emitter.emit('tick', 1);
    emitter.emit('tick', 2);
    assert.deepEqual(await waiting, [2]);
    assert.equal(emitter.listenerCount('tick'), 0);
  });

  it('rejects on an error event when asked to', async () => {
    const emitter = new EventEmitter();
    const waiting = waitForEvent(emitter, 'tick', { timeoutMs: 1000, what: 'tick', rejectOnError: true });
    emitter.emit('error', new Error('boom'));
    await assert.rejects(waiting, /boom/);
  });

  it('rejects with WaitTimeoutError when no event comes', async () => {
    await assert.rejects(waitForEvent(new EventEmitter(), 'never', { timeoutMs: 10, what: 'never' }), WaitTimeoutError);
  });
});
