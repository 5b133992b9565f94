/**
 * The HTTP edge under clients that misbehave: a client that gives up mid-body is not an error of
 * ours (it is counted and logged at info, at most once a minute), and a body still arriving after
 * HTTP_REQUEST_TIMEOUT_MS is cut off with 408 and the connection closed.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { type TestApp, startTestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

/** Sends headers announcing `length` bytes and only part of the body; `abort` then resets the connection. */
function partialRequest(url: string, path: string, length: number): Promise<net.Socket> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1', () => {
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Signature: sha256=00\r\nContent-Length: ${length}\r\n\r\n{"event":`,
      );
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

const levelOf = (line: string) => (JSON.parse(line) as { level: number }).level;

describe('HTTP edge: aborted and slow requests', function () {
  this.timeout(30_000);
  let t: TestApp;
  afterEach(async () => t.close());

  it('client aborts mid-body are counted and logged at info at most once a minute, never at error', async () => {
    t = await startTestApp({ LOG_LEVEL: 'info' });
    for (let i = 0; i < 20; i++) {
      for (const path of ['/api/klink/webhook', '/api/messages']) {
        const socket = await partialRequest(t.url, path, 1000);
        socket.resetAndDestroy();
      }
    }
    await waitFor(async () => /klink_teams_webhooks_total\{result="aborted"\} 20/.test(await (await fetch(`${t.url}/metrics`)).text()), {
      timeoutMs: 10_000,
      what: '20 aborted webhooks counted',
    });
    const aborts = t.logs.filter((line) => /abort/i.test(line));
    assert.deepEqual(
      t.logs.filter((line) => levelOf(line) >= 40),
      [],
      'no warning or error for a client that gave up',
    );
    assert.ok(aborts.length >= 1 && aborts.length <= 2, `at most one line a minute per route, got ${aborts.length}:\n${aborts.join('')}`);
  });

  it('a body still arriving after HTTP_REQUEST_TIMEOUT_MS gets 408 and the connection is closed', async () => {
    t = await startTestApp({ HTTP_REQUEST_TIMEOUT_MS: '500' });
    const socket = await partialRequest(t.url, '/api/klink/webhook', 1000);
    let answer = '';
    socket.on('data', (chunk: Buffer) => void (answer += chunk.toString()));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    const timer = setInterval(() => socket.write(' '), 100); // a slow sender keeps trickling
    try {
      await Promise.race([
        closed,
        new Promise((_, reject) => setTimeout(() => reject(new Error(`not cut off within 5 s; got: ${answer}`)), 5_000)),
      ]);
    } finally {
      clearInterval(timer);
      socket.destroy();
    }
    assert.match(answer, /^HTTP\/1\.1 408/);
    assert.equal((await fetch(`${t.url}/healthz`)).status, 200);
  });
});
