/**
 * A fake klink REST API: a real HTTP server on 127.0.0.1 answering `GET /api/v1/contacts/{id}` and
 * `POST /api/v1/messages/send` as klink's docs describe them, recording every request, and able to
 * answer the next requests with faults (401, 404, 429 with or without Retry-After, 500, slow
 * answers, malformed JSON, odd shapes) so the client is tested over the wire. `hold()` keeps every
 * answer back until `release()`: klink as slow as a test needs, without timers.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export const FAKE_KLINK_TOKEN = 'kpt_fake-token-0123456789';

/** One request as the fake received it. */
export interface KlinkApiRequest {
  method: string;
  /** The raw request target, still URL-encoded. */
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** How to answer one request instead of the normal answer. */
export type KlinkFault =
  | { kind: 'status'; status: number; retryAfter?: string }
  | { kind: 'slow'; delayMs: number }
  | { kind: 'raw'; status: number; body: string }
  | { kind: 'json'; status: number; body: unknown };

export interface FakeKlinkApi {
  /** Base URL as KLINK_API_BASE_URL would be set, e.g. http://127.0.0.1:1234/api/v1 */
  baseUrl: string;
  requests: KlinkApiRequest[];
  /** Most requests being answered at the same time so far. */
  maxInFlight: number;
  /** Queue faults for the next requests, in order. */
  failNext: (...faults: KlinkFault[]) => void;
  /** Contacts the GET endpoint knows, by id. */
  contacts: Map<string, unknown>;
  /** Hold every answer this long (for concurrency tests); 0 = answer at once. */
  holdMs: number;
  /** From now on, keep every answer back (requests are still recorded) until `release()`. */
  hold: () => void;
  /** Answers what was held back, and answers at once again. */
  release: () => void;
  /** Requests for one route, e.g. `GET /api/v1/contacts/c1`. */
  requestsTo: (method: string, url: string) => KlinkApiRequest[];
  close: () => Promise<void>;
}

const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

/** Starts the fake on a free loopback port. */
export async function startFakeKlinkApi(): Promise<FakeKlinkApi> {
  const faults: KlinkFault[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let held: (() => void)[] | null = null;
  let inFlight = 0;
  let sent = 0;
  const fake: Omit<FakeKlinkApi, 'baseUrl' | 'close'> = {
    requests: [],
    maxInFlight: 0,
    failNext: (...f) => faults.push(...f),
    contacts: new Map(),
    holdMs: 0,
    hold: () => {
      held ??= [];
    },
    release: () => {
      const waiting = held ?? [];
      held = null;
      for (const answerNow of waiting) answerNow();
    },
    requestsTo: (method, url) => fake.requests.filter((r) => r.method === method && r.url === url),
  };

  const answer = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => {
    const fault = faults.shift();
    if (fault?.kind === 'status') {
      const headers: Record<string, string> = fault.retryAfter === undefined ? {} : { 'retry-after': fault.retryAfter };
      return json(res, fault.status, { status: fault.status, message: 'fault' }, headers);
    }
    if (fault?.kind === 'raw') {
      res.writeHead(fault.status, { 'content-type': 'application/json' });
      return res.end(fault.body);
    }
    if (fault?.kind === 'json') return json(res, fault.status, fault.body);
    if (req.headers.authorization !== `Bearer ${FAKE_KLINK_TOKEN}`) return json(res, 401, { status: 401, message: 'Unauthorized' });
    const url = req.url ?? '';
    const contact = /^\/api\/v1\/contacts\/([^/?]+)$/.exec(url);
    if (req.method === 'GET' && contact) {
      const found = fake.contacts.get(decodeURIComponent(contact[1]));
      if (found === undefined) return json(res, 404, { status: 404, message: 'Contact not found' });
      return json(res, 200, { status: 200, message: 'OK', data: found });
    }
    if (req.method === 'POST' && url === '/api/v1/messages/send') {
      const parsed: unknown = JSON.parse(body);
      sent += 1;
      return json(res, 200, { status: 200, message: 'OK', data: { id: `sent-${sent}`, request: parsed } });
    }
    return json(res, 404, { status: 404, message: 'no such route' });
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      fake.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      inFlight += 1;
      fake.maxInFlight = Math.max(fake.maxInFlight, inFlight);
      res.on('close', () => (inFlight -= 1));
      const next = faults[0];
      const delayMs = next?.kind === 'slow' ? next.delayMs : fake.holdMs;
      if (next?.kind === 'slow') faults.shift();
      if (held !== null) {
        held.push(() => {
          if (!res.destroyed) answer(req, res, body);
        });
        return;
      }
      if (delayMs === 0) return answer(req, res, body);
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!res.destroyed) answer(req, res, body);
      }, delayMs);
      timers.add(timer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(fake, {
    baseUrl: `http://127.0.0.1:${port}/api/v1`,
    close: async () => {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}
