/** Signed klink message webhooks for the benchmark, each with its own data.id (and room). */
import http from 'node:http';
import { signBody } from '../../src/klink/verify';
import { messageEvent } from '../../test/support/fixtures';

const ID = '__BENCH_DATA_ID__';
const ROOM = '__BENCH_ROOM_ID__';

export interface BenchWebhook {
  body: string;
  signature: string;
  dataId: string;
  roomId: string;
}

/**
 * Builds webhooks from klink's inbound WhatsApp sample. The sample is read once; each webhook only
 * substitutes its ids (`<tag>-m-<n>`, and `<tag>-r-<n>` unless a room is given) and is signed with `secret`.
 */
export function webhookFactory(
  secret: string,
  tag: string,
  overrides: { contactId?: string } = {},
): (n: number, contactId?: string, room?: string) => BenchWebhook {
  const contactMarker = '__BENCH_CONTACT_ID__';
  const template = JSON.stringify(messageEvent({ id: ID, roomId: ROOM, channelType: 'whatsapp', contactId: contactMarker }));
  return (n, contactId, room) => {
    const dataId = `${tag}-m-${n}`;
    const roomId = room ?? `${tag}-r-${n}`;
    const body = template
      .replace(ID, dataId)
      .replace(ROOM, roomId)
      .replace(contactMarker, contactId ?? overrides.contactId ?? 'bench-contact');
    return { body, signature: signBody(secret, body), dataId, roomId };
  };
}

/** The pattern that finds a factory's ids in any text (a card, a URL): group 1 is n. */
export function idPattern(tag: string): RegExp {
  return new RegExp(`${tag.replace(/[^a-zA-Z0-9]/g, '\\$&')}-[mr]-(\\d+)`, 'g');
}

export interface PostResult {
  status: number;
  /** performance.now() when the request was started and when the response had ended. */
  startedAt: number;
  endedAt: number;
  /** Why the request failed (status 0). */
  error?: string;
}

/** POSTs one webhook to 127.0.0.1; resolves with status 0 on a network error or after `timeoutMs`. */
export function postWebhook(
  agent: http.Agent,
  port: number,
  hook: BenchWebhook,
  now: () => number,
  timeoutMs = 10_000,
): Promise<PostResult> {
  const startedAt = now();
  return new Promise<PostResult>((resolve) => {
    let settled = false;
    const settle = (status: number, error?: Error): void => {
      if (settled) return;
      settled = true;
      resolve({ status, startedAt, endedAt: now(), ...(error ? { error: error.message } : {}) });
    };
    const req = http.request(
      {
        agent,
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/api/klink/webhook',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(hook.body), 'x-signature': hook.signature },
      },
      (res) => {
        res.on('data', () => undefined);
        res.on('end', () => settle(res.statusCode ?? 0));
        res.on('error', (error) => settle(0, error));
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (error) => settle(0, error));
    req.end(hook.body);
  });
}
