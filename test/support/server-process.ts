/**
 * The real server as a child process (`node --import tsx src/index.ts`, delivery in its worker
 * thread as `npm start` runs it), and the calls klink and Teams make to it.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { signBody } from '../../src/klink/verify';
import type { FakeConnector } from './fake-connector';
import { channelCommand } from './teams-activities';
import { waitFor } from './wait';

const ROOT = path.resolve(__dirname, '../..');
export const SERVER_SECRET = 'process-test-secret';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  output: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends SIGKILL unless the process has exited already, and waits for it. */
  kill(): Promise<void>;
}

export async function startServer(databaseUrl: string, port: number, env: Record<string, string> = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/index.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      KLINK_WEBHOOK_SECRET: SERVER_SECRET,
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${url}/healthz`)).ok, {
    timeoutMs: 60_000,
    intervalMs: 50,
    what: `the server on ${port} (output: ${output.join('').slice(-500)})`,
  });
  return {
    child,
    url,
    output,
    exited,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** POSTs a signed webhook; resolves with the status and the result ("stored", "duplicate"). */
export async function postWebhook(url: string, body: object): Promise<{ status: number; result: string | null }> {
  const raw = JSON.stringify(body);
  const response = await fetch(`${url}/api/klink/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-signature': signBody(SERVER_SECRET, raw) },
    body: raw,
  });
  const answer = (await response.json()) as { result?: string };
  return { status: response.status, result: answer.result ?? null };
}

/** `@klink subscribe <filters>` in a channel, through `server`; waits for the bot's answer at the connector. */
export async function subscribeThrough(
  server: { url: string },
  connector: FakeConnector,
  channelId: string,
  tenantId?: string,
  filters = 'whatsapp',
): Promise<void> {
  const activity = channelCommand({ serviceUrl: connector.url, channelId, ...(tenantId ? { tenantId } : {}) }, `subscribe ${filters}`);
  const response = await fetch(`${server.url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(activity),
  });
  assert.equal(response.status, 200);
  await connector.waitForRequests((r) => r.route === 'replyToActivity' && r.urlActivityId === activity.id, 1, 15_000);
}
