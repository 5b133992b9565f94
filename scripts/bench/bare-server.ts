/**
 * Child process: the baseline for webhook ingest. A bare node:http server that reads the body,
 * checks the hex HMAC-SHA256 in x-signature with timingSafeEqual, and answers 200 — nothing else.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { failStartup, serveParent } from './child-runtime';
import { parseChildSettings } from './ipc';

const OK = JSON.stringify({ ok: true, result: 'stored' });
const UNAUTHORIZED = JSON.stringify({ ok: false, error: 'authentication failed' });

function signatureMatches(secret: string, header: string | string[] | undefined, body: Buffer): boolean {
  if (typeof header !== 'string' || !/^[0-9a-f]{64}$/.test(header)) return false;
  const actual = createHmac('sha256', secret).update(body).digest();
  return timingSafeEqual(actual, Buffer.from(header, 'hex'));
}

async function main(): Promise<void> {
  const { secret } = parseChildSettings(process.argv[2]);
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const ok = signatureMatches(secret, req.headers['x-signature'], Buffer.concat(chunks));
      const body = ok ? OK : UNAUTHORIZED;
      res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  serveParent({
    port: (server.address() as AddressInfo).port,
    subscriptions: async () => 0,
    backlog: async () => 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  });
}

main().catch(failStartup);
