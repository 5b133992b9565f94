/**
 * Bounded waits for tests: poll an observable condition or wait for an event, never sleep blindly.
 */
import type { EventEmitter } from 'node:events';

export interface WaitOptions {
  /** Give up after this many milliseconds. */
  timeoutMs: number;
  /** Delay between probes (default 10 ms). */
  intervalMs?: number;
  /** What is awaited, for the timeout message ("3 requests to the connector"); a function is asked at timeout. */
  what: string | (() => string);
}

/** Thrown when a bounded wait runs out; names what was awaited and the last probe failure. */
export class WaitTimeoutError extends Error {
  constructor(
    what: string,
    timeoutMs: number,
    readonly lastError?: unknown,
  ) {
    super(
      `timed out after ${timeoutMs} ms waiting for ${what}` +
        (lastError === undefined ? '' : ` (last probe failed: ${describe(lastError)})`),
    );
    this.name = 'WaitTimeoutError';
  }
}

/**
 * Polls `probe` until it returns a value other than undefined (or false / null) and resolves with it.
 * A probe that throws counts as "not yet"; the last error is reported on timeout.
 */
export async function waitFor<T>(
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  { timeoutMs, intervalMs = 10, what }: WaitOptions,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== null && value !== false) return value;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw new WaitTimeoutError(typeof what === 'function' ? what() : what, timeoutMs, lastError);
    await pause(Math.min(intervalMs, remaining));
  }
}

/**
 * Resolves with the arguments of the first `event` emitted by `emitter` for which `accept` holds;
 * rejects on timeout, or on an `error` event when `rejectOnError` is set.
 */
export function waitForEvent<A extends unknown[]>(
  emitter: EventEmitter,
  event: string,
  {
    timeoutMs,
    what,
    accept = () => true,
    rejectOnError = false,
  }: { timeoutMs: number; what: string; accept?: (...args: A) => boolean; rejectOnError?: boolean },
): Promise<A> {
  return new Promise<A>((resolve, reject) => {
    const cleanup = (): void => {
      clearTimeout(timer);
      emitter.off(event, onEvent);
      if (rejectOnError) emitter.off('error', onError);
    };
    const onEvent = (...args: unknown[]): void => {
      const typed = args as A;
      if (!accept(...typed)) return;
      cleanup();
      resolve(typed);
    };
    const onError = (error: unknown): void => {
      cleanup();
      reject(error instanceof Error ? error : new Error(describe(error)));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new WaitTimeoutError(what, timeoutMs));
    }, timeoutMs);
    emitter.on(event, onEvent);
    if (rejectOnError) emitter.on('error', onError);
  });
}

/** Internal pause between probes of a bounded poll; not for use as a test sleep. */
function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
