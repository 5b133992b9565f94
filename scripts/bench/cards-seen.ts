/**
 * Which benchmark webhooks the fake connector has seen, and when: every request body is searched
 * for the webhook's data.id or room id (in the card text, the "Open in klink" URL, anything), so
 * new posts, thread replies, root-card updates and digests are all recognised.
 */
import type { FakeConnector, RecordedRequest } from '../../test/support/fake-connector';
import { idPattern } from './webhooks';

export class CardsSeen {
  /** Webhook number → receivedAt of the first request that carried it. */
  readonly firstSeen = new Map<number, number>();
  /** Requests that carried no benchmark id (counted, matched by order later if needed). */
  readonly unmatched: RecordedRequest[] = [];
  private scanned = 0;
  private readonly pattern: RegExp;

  constructor(
    private readonly connector: FakeConnector,
    tag: string,
  ) {
    this.pattern = idPattern(tag);
  }

  /** Looks at the requests that arrived since the last call. */
  scan(): void {
    const { requests } = this.connector;
    for (; this.scanned < requests.length; this.scanned++) {
      const request = requests[this.scanned];
      const ids = idsIn(request, this.pattern);
      if (ids.length === 0) this.unmatched.push(request);
      for (const n of ids) if (!this.firstSeen.has(n)) this.firstSeen.set(n, request.receivedAt);
    }
  }
}

function idsIn(request: RecordedRequest, pattern: RegExp): number[] {
  const text = `${request.path} ${typeof request.body === 'string' ? request.body : JSON.stringify(request.body ?? null)}`;
  const found = new Set<number>();
  for (const match of text.matchAll(pattern)) found.add(Number(match[1]));
  return [...found];
}

/** Polls `done` every `intervalMs` until it holds or `timeoutMs` passes; true when it held. */
export async function pollUntil(done: () => boolean, timeoutMs: number, intervalMs = 10): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (done()) return true;
    await new Promise<void>((resolve) => setTimeout(resolve, intervalMs));
  }
  return done();
}

export type WaitOutcome = 'done' | 'stalled' | 'timeout';

/**
 * Polls `done` until it holds; gives up when `progress()` (e.g. the connector's request count) has
 * not changed for `stallMs`, or after `timeoutMs` in all.
 */
export async function waitWithProgress(
  done: () => boolean,
  progress: () => number,
  timeoutMs: number,
  stallMs: number,
): Promise<WaitOutcome> {
  let last = progress();
  let lastChange = Date.now();
  let outcome: WaitOutcome = 'timeout';
  await pollUntil(
    () => {
      if (done()) {
        outcome = 'done';
        return true;
      }
      const now = progress();
      if (now !== last) {
        last = now;
        lastChange = Date.now();
      } else if (Date.now() - lastChange >= stallMs) {
        outcome = 'stalled';
        return true;
      }
      return false;
    },
    timeoutMs,
    10,
  );
  return outcome;
}

/** Waits until no new request has arrived at the connector for `quietMs` (at most `timeoutMs`). */
export async function waitForQuiet(connector: FakeConnector, quietMs: number, timeoutMs: number): Promise<void> {
  let count = connector.requests.length;
  let since = Date.now();
  await pollUntil(
    () => {
      if (connector.requests.length !== count) {
        count = connector.requests.length;
        since = Date.now();
      }
      return Date.now() - since >= quietMs;
    },
    timeoutMs,
    20,
  );
}
