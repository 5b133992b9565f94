/**
 * The real server as a child process: killed with SIGKILL under load it loses nothing it
 * acknowledged; stopped with SIGTERM it stops taking webhooks and exits within a bounded time.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import Database from 'better-sqlite3';
import { signBody } from '../../src/klink/verify';
import { type FakeConnector, startFakeConnector } from '../support/fake-connector';
import { messageEvent } from '../support/fixtures';
import { channelCommand } from '../support/teams-activities';
import { makeTempDir } from '../support/temp-dir';
import { waitFor } from '../support/wait';

const ROOT = path.resolve(__dirname, '../..');
const SECRET = 'process-test-secret';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

interface Server {
  child: ChildProcess;
  url: string;
  output: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

async function startServer(dbFile: string, port: number): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/index.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', DATABASE_URL: `sqlite:${dbFile}`, PORT: String(port), KLINK_WEBHOOK_SECRET: SECRET, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${url}/healthz`)).ok, { timeoutMs: 30_000, intervalMs: 50, what: `the server on ${port} (output: ${output.join('').slice(-500)})` });
  return { child, url, output, exited };
}

async function webhook(url: string, body: object): Promise<number> {
  const raw = JSON.stringify(body);
  const response = await fetch(`${url}/api/klink/webhook`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'x-signature': signBody(SECRET, raw) }, body: raw,
  });
  await response.arrayBuffer();
  return response.status;
}

async function subscribe(server: Server, connector: FakeConnector, channelId: string): Promise<void> {
  const activity = channelCommand({ serviceUrl: connector.url, channelId }, 'subscribe whatsapp');
  const response = await fetch(`${server.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
  assert.equal(response.status, 200);
  await connector.waitForRequests((r) => r.route === 'replyToActivity' && r.urlActivityId === activity.id, 1, 10_000);
}

describe('the server process', function () {
  this.timeout(120_000);
  let temp: ReturnType<typeof makeTempDir>;
  let connector: FakeConnector;
  let server: Server | null = null;

  beforeEach(async () => {
    temp = makeTempDir();
    connector = await startFakeConnector();
  });
  afterEach(async () => {
    if (server && server.child.exitCode === null && server.child.signalCode === null) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
    await connector.close();
    temp.remove();
  });

  it('kill -9 under load loses nothing that was acknowledged; after restart every acknowledged event is delivered', async () => {
    const dbFile = path.join(temp.dir, 'k.db');
    const port = await freePort();
    server = await startServer(dbFile, port);
    const channels = Array.from({ length: 10 }, (_, i) => `19:crash-${i}@thread.tacv2`);
    for (const channel of channels) await subscribe(server, connector, channel);
    // Slow answers keep deliveries in flight when the process dies.
    connector.respondWith({ match: { route: ['createConversation', 'sendToConversation'] }, delayMs: 30, times: Infinity });

    const acknowledged: string[] = [];
    const running = server;
    let sent = 0;
    const load = Array.from({ length: 8 }, async () => {
      while (sent < 400) {
        const id = `crash-${sent++}`;
        try {
          if ((await webhook(running.url, messageEvent({ id, roomId: `room-${sent % 25}` }))) === 200) acknowledged.push(id);
        } catch {
          return; // the process is gone: this request was not acknowledged
        }
      }
    });
    await waitFor(() => acknowledged.length >= 150 && connector.requests.some((r) => r.route === 'createConversation' && r.response?.status === 201),
      { timeoutMs: 30_000, what: '150 acknowledged webhooks and some deliveries' });
    running.child.kill('SIGKILL');
    assert.equal((await running.exited).signal, 'SIGKILL');
    await Promise.all(load);
    assert.ok(acknowledged.length < 400, 'killed under load, not after it');

    server = await startServer(dbFile, port);
    const db = new Database(dbFile, { readonly: true });
    try {
      const undelivered = () => db.prepare(`
        SELECT COUNT(*) AS n FROM events e WHERE e.data_id IN (SELECT value FROM json_each(?))
          AND (e.dispatched_at IS NULL OR EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id AND d.state <> 'delivered')
               OR (SELECT COUNT(*) FROM deliveries d WHERE d.event_id = e.id) <> ?)`)
        .get(JSON.stringify(acknowledged), channels.length) as { n: number };
      const stored = db.prepare('SELECT COUNT(*) AS n FROM events WHERE data_id IN (SELECT value FROM json_each(?))').get(JSON.stringify(acknowledged)) as { n: number };
      assert.equal(stored.n, acknowledged.length, 'every acknowledged event is in the store');
      await waitFor(() => undelivered().n === 0, { timeoutMs: 60_000, intervalMs: 100, what: 'every acknowledged event delivered to all 10 channels' });
      // Duplicates are limited to the requests in flight at the kill: posts Teams accepted that no delivery points at.
      const accepted = connector.requests.filter((r) => (r.route === 'createConversation' || r.route === 'sendToConversation') && r.response?.status === 201 && r.activityId);
      const referenced = new Set((db.prepare('SELECT DISTINCT activity_id AS a FROM deliveries WHERE activity_id IS NOT NULL').all() as Array<{ a: string }>).map((r) => r.a));
      const orphans = accepted.filter((r) => !referenced.has(r.activityId ?? '')).length;
      assert.ok(orphans <= 64, `${orphans} posts were sent twice (at most the 64 turns in flight)`);
    } finally {
      db.close();
    }
  });

  it('SIGTERM stops taking webhooks, finishes what is in flight and exits within a bounded time', async () => {
    const dbFile = path.join(temp.dir, 'k.db');
    const port = await freePort();
    server = await startServer(dbFile, port);
    await subscribe(server, connector, '19:term@thread.tacv2');
    connector.respondWith({ match: { route: 'createConversation' }, delayMs: 1500, times: Infinity });
    assert.equal(await webhook(server.url, messageEvent({ id: 'term-1' })), 200);
    await connector.waitForRequests((r) => r.route === 'createConversation', 1, 10_000);

    const stoppingAt = Date.now();
    server.child.kill('SIGTERM');
    // Until the signal is handled a webhook may still be taken: then it must be delivered before exit.
    const accepted: string[] = [];
    const refused = await waitFor(async () => {
      const id = `term-after-${accepted.length}`;
      try {
        if ((await webhook(server?.url ?? '', messageEvent({ id, roomId: 'room-after' }))) === 200) accepted.push(id);
        return false;
      } catch {
        return true;
      }
    }, { timeoutMs: 5_000, what: 'new webhooks to be refused' });
    assert.equal(refused, true);
    const { code } = await server.exited;
    const tookMs = Date.now() - stoppingAt;
    assert.equal(code, 0, server.output.join('').slice(-3000));
    assert.ok(tookMs < 15_000, `exited after ${tookMs} ms`);

    const db = new Database(dbFile, { readonly: true });
    try {
      const delivered = db.prepare(`SELECT d.state FROM deliveries d JOIN events e ON e.id = d.event_id WHERE e.data_id = 'term-1'`).all() as Array<{ state: string }>;
      assert.deepEqual(delivered.map((r) => r.state), ['delivered'], 'the delivery in flight was finished before exit');
      const stored = db.prepare('SELECT data_id AS id FROM events WHERE data_id LIKE ? ORDER BY id').all('term-after-%') as Array<{ id: string }>;
      assert.deepEqual(stored.map((r) => r.id), accepted, 'every webhook answered 200 is stored');
    } finally {
      db.close();
    }
    // What was taken but not yet sent is returned to the store and goes out after a restart.
    server = await startServer(dbFile, port);
    const check = new Database(dbFile, { readonly: true });
    try {
      const deliveredAfterRestart = () => (check.prepare(`SELECT COUNT(*) AS n FROM deliveries d JOIN events e ON e.id = d.event_id
        WHERE e.data_id LIKE 'term-after-%' AND d.state = 'delivered'`).get() as { n: number }).n;
      await waitFor(() => deliveredAfterRestart() === accepted.length, { timeoutMs: 10_000, what: 'the webhooks taken during shutdown to be delivered after restart' });
    } finally {
      check.close();
    }
  });
});
