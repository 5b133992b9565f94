/**
 * The klink API client over the wire, against a real fake klink server on loopback: requests as
 * klink documents them, retries and their bounds, Retry-After, typed errors, timeouts, the
 * concurrency limit, loose reading of answers, and the token never leaking into errors.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { createKlinkApiClient, klinkApiClientFromConfig, type KlinkApiClientOptions } from '../../../src/klink/api-client';
import { KlinkApiError } from '../../../src/klink/api-errors';
import { createLogger } from '../../../src/log';
import { FAKE_KLINK_TOKEN, startFakeKlinkApi, type FakeKlinkApi } from '../../support/fake-klink-api';

const NOW = Date.parse('2026-12-03T08:00:00Z');

describe('klink API client', () => {
  let api: FakeKlinkApi;
  let waits: number[];

  const client = (options: Partial<KlinkApiClientOptions> = {}) =>
    createKlinkApiClient({
      baseUrl: api.baseUrl,
      token: FAKE_KLINK_TOKEN,
      random: () => 0.5,
      now: () => NOW,
      wait: async (ms) => {
        waits.push(ms);
      },
      ...options,
    });

  /** The KlinkApiError a call fails with (fails the test if it succeeds or fails otherwise). */
  const failure = async (call: Promise<unknown>): Promise<KlinkApiError> => {
    try {
      await call;
    } catch (error) {
      assert.ok(error instanceof KlinkApiError, `expected a KlinkApiError, got ${String(error)}`);
      assert.ok(!error.message.includes(FAKE_KLINK_TOKEN), 'the token is not in the error');
      assert.ok(!String(error.stack).includes(FAKE_KLINK_TOKEN), 'the token is not in the stack');
      return error;
    }
    assert.fail('the call succeeded');
  };

  beforeEach(async () => {
    api = await startFakeKlinkApi();
    waits = [];
    api.contacts.set('c/1', { id: 'c/1', name: 'Ann Lee', tags: [{ id: 't1', name: 'VIP' }] });
  });

  afterEach(async () => {
    await api.close();
  });

  it('looks a contact up exactly as documented: GET /contacts/{id} with the bearer token, id as one encoded segment', async () => {
    const contact = await client().getContact('c/1');
    assert.deepEqual(contact, { id: 'c/1', name: 'Ann Lee', tags: [{ id: 't1', name: 'VIP' }] });
    assert.equal(api.requests.length, 1);
    const [req] = api.requests;
    assert.equal(req.method, 'GET');
    assert.equal(req.url, '/api/v1/contacts/c%2F1');
    assert.equal(req.headers.authorization, `Bearer ${FAKE_KLINK_TOKEN}`);
    assert.equal(req.headers.accept, 'application/json');
    assert.equal(req.body, '');
  });

  it('sends a text exactly as documented: POST /messages/send with contactId, messageType text, message, createdAt', async () => {
    const result = await client().sendText({ contactId: 'c1', message: 'Hello there\nsecond line', createdAt: new Date(NOW) });
    assert.deepEqual(result, { messageId: 'sent-1' });
    assert.equal(api.requests.length, 1);
    const [req] = api.requests;
    assert.equal(req.method, 'POST');
    assert.equal(req.url, '/api/v1/messages/send');
    assert.equal(req.headers.authorization, `Bearer ${FAKE_KLINK_TOKEN}`);
    assert.match(String(req.headers['content-type']), /^application\/json/);
    assert.deepEqual(JSON.parse(req.body), {
      contactId: 'c1',
      messageType: 'text',
      message: 'Hello there\nsecond line',
      createdAt: '2026-12-03T08:00:00.000Z',
    });
  });

  it('retries a look-up on 429 and 500 with growing, jittered backoff, then succeeds', async () => {
    api.failNext({ kind: 'status', status: 429 }, { kind: 'status', status: 500 });
    const contact = await client({ baseDelayMs: 100 }).getContact('c/1');
    assert.equal(contact.name, 'Ann Lee');
    assert.equal(api.requests.length, 3);
    assert.deepEqual(waits, [50, 100], 'half (random 0.5) of 100 ms, then of 200 ms');
  });

  it('honours Retry-After in seconds and as an HTTP date, capped', async () => {
    api.failNext(
      { kind: 'status', status: 429, retryAfter: '3' },
      { kind: 'status', status: 503, retryAfter: new Date(NOW + 7_000).toUTCString() },
      { kind: 'status', status: 429, retryAfter: '86400' },
    );
    const contact = await client({ maxRetryAfterMs: 20_000 }).getContact('c/1');
    assert.equal(contact.name, 'Ann Lee');
    assert.deepEqual(waits, [3_000, 7_000, 20_000]);
  });

  it('without an injected wait, really waits between tries (a real timer, no busy retry)', async () => {
    api.failNext({ kind: 'status', status: 503, retryAfter: '0' }, { kind: 'status', status: 429 });
    const started = Date.now();
    const c = createKlinkApiClient({ baseUrl: api.baseUrl, token: FAKE_KLINK_TOKEN, baseDelayMs: 60, maxDelayMs: 60, random: () => 1 });
    assert.equal((await c.getContact('c/1')).name, 'Ann Lee');
    assert.equal(api.requests.length, 3);
    assert.ok(Date.now() - started >= 55, 'the 60 ms backoff before the third try was waited out');
  });

  it('gives up after the bound with a clear error', async () => {
    api.failNext(...Array.from({ length: 5 }, () => ({ kind: 'status' as const, status: 500 })));
    const error = await failure(client({ maxAttempts: 3 }).getContact('c/1'));
    assert.equal(error.code, 'unavailable');
    assert.equal(error.attempts, 3);
    assert.match(error.message, /klink is down or failing: it answered 500 to the contact look-up after 3 attempts/);
    assert.equal(api.requests.length, 3);
    assert.equal(waits.length, 2);
  });

  it('a refused token (401, 403) is a clear error and is not retried', async () => {
    for (const status of [401, 403]) {
      api.requests.length = 0;
      api.failNext({ kind: 'raw', status, body: `{"message":"bad token ${FAKE_KLINK_TOKEN}"}` });
      const error = await failure(client().getContact('c/1'));
      assert.equal(error.code, 'token-refused');
      assert.match(error.message, /^the klink API token was refused: .*KLINK_API_TOKEN/);
      assert.equal(api.requests.length, 1, `${status} is not retried`);
    }
    assert.deepEqual(waits, []);
  });

  it('an unknown contact (404) is "contact not found", not retried', async () => {
    const error = await failure(client().getContact('nobody'));
    assert.equal(error.code, 'contact-not-found');
    assert.match(error.message, /no contact with id "nobody"/);
    assert.equal(api.requests.length, 1);
  });

  it('a slow klink is a clear timeout after the bounded attempts', async () => {
    api.failNext({ kind: 'slow', delayMs: 5_000 }, { kind: 'slow', delayMs: 5_000 });
    const started = Date.now();
    const error = await failure(client({ timeoutMs: 150, maxAttempts: 2 }).getContact('c/1'));
    assert.equal(error.code, 'timeout');
    assert.match(error.message, /did not answer the contact look-up within 0\.15 s after 2 attempts/);
    assert.equal(api.requests.length, 2);
    assert.ok(Date.now() - started < 3_000, 'gave up long before the slow answers');
  });

  it('an unreachable klink is "could not be reached"', async () => {
    const closed = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as AddressInfo;
        s.close(() => resolve(port));
      });
    });
    const error = await failure(client({ baseUrl: `http://127.0.0.1:${closed}/api/v1`, maxAttempts: 2 }).getContact('c/1'));
    assert.equal(error.code, 'unavailable');
    assert.match(error.message, /klink could not be reached at 127\.0\.0\.1:\d+ .*ECONNREFUSED.* after 2 attempts/);
    assert.equal(waits.length, 1, 'retried once');
  });

  it('malformed JSON is a clear error', async () => {
    api.failNext({ kind: 'raw', status: 200, body: '{"data": {' });
    const error = await failure(client().getContact('c/1'));
    assert.equal(error.code, 'malformed-answer');
    assert.match(error.message, /not valid JSON/);
  });

  it('an answer larger than the limit is refused as malformed, not read into memory', async () => {
    api.failNext({ kind: 'raw', status: 200, body: `{"data":{"name":"${'x'.repeat(2 * 1024 * 1024)}"}}` });
    const error = await failure(client().getContact('c/1'));
    assert.equal(error.code, 'malformed-answer');
    assert.match(error.message, /larger than 1 MiB/);
  });

  it('keeps at most the configured number of requests in flight', async () => {
    api.holdMs = 80;
    const c = client({ concurrency: 2 });
    const contacts = await Promise.all(Array.from({ length: 6 }, () => c.getContact('c/1')));
    assert.equal(contacts.length, 6);
    assert.equal(api.requests.length, 6);
    assert.equal(api.maxInFlight, 2);
  });

  it('a send is not repeated when klink may have taken it (500, timeout), and says so', async () => {
    api.failNext({ kind: 'status', status: 500 });
    const error = await failure(client().sendText({ contactId: 'c1', message: 'secret words', createdAt: new Date(NOW) }));
    assert.equal(error.code, 'outcome-unknown');
    assert.match(error.message, /may or may not have been sent/);
    assert.ok(!error.message.includes('secret words'), 'message text stays out of errors');
    assert.equal(api.requests.length, 1);

    api.failNext({ kind: 'slow', delayMs: 5_000 });
    const timeout = await failure(client({ timeoutMs: 150 }).sendText({ contactId: 'c1', message: 'x', createdAt: new Date(NOW) }));
    assert.equal(timeout.code, 'outcome-unknown');
    assert.equal(api.requests.length, 2);
  });

  it('a send is retried when klink surely did not take it (429, 503)', async () => {
    api.failNext({ kind: 'status', status: 429, retryAfter: '1' }, { kind: 'status', status: 503 });
    const result = await client({ baseDelayMs: 100 }).sendText({ contactId: 'c1', message: 'hi', createdAt: new Date(NOW) });
    assert.deepEqual(result, { messageId: 'sent-1' });
    assert.equal(api.requests.length, 3);
    assert.deepEqual(waits, [1_000, 100]);
  });

  it('logs each retry without the token or the message text', async () => {
    const lines: string[] = [];
    const log = createLogger('debug', { write: (line: string) => void lines.push(line) });
    api.failNext({ kind: 'status', status: 429 }, { kind: 'raw', status: 401, body: FAKE_KLINK_TOKEN });
    await failure(client({ log }).sendText({ contactId: 'c1', message: 'my private words', createdAt: new Date(NOW) }));
    assert.equal(lines.length, 1, lines.join(''));
    assert.deepEqual(
      (({ op, code, status, attempt, msg }) => ({ op, code, status, attempt, msg }))(JSON.parse(lines[0]) as Record<string, unknown>),
      { op: 'sending a message', code: 'rate-limited', status: 429, attempt: 1, msg: 'klink API call failed; retrying' },
    );
    assert.ok(!lines[0].includes(FAKE_KLINK_TOKEN) && !lines[0].includes('my private words'));
  });

  it('refuses ids that a URL would resolve away instead of calling another route', async () => {
    for (const id of ['', '.', '..']) {
      const error = await failure(client().getContact(id));
      assert.equal(error.code, 'invalid-request');
    }
    assert.equal(api.requests.length, 0);
  });

  describe('reading answers loosely (unknown fields are safe)', () => {
    it('keeps known contact fields, ignores extras, and fills missing ones', async () => {
      api.contacts.set('x', {
        id: 42,
        company: { name: 'Acme' },
        tags: [{ name: 'VVIP', color: 'red' }, { id: 't', name: 7 }, null, 3, ['VIP']],
      });
      api.contacts.set('y', { name: '  ' });
      api.contacts.set('z', { name: 'Zed', tags: 'VIP' });
      api.contacts.set('n', { name: null, tags: null, extra: { deep: [1, 2] } });
      const c = client();
      assert.deepEqual(await c.getContact('x'), { id: '42', name: null, tags: [{ id: null, name: 'VVIP' }] });
      assert.deepEqual(await c.getContact('y'), { id: 'y', name: null, tags: [] });
      assert.deepEqual(await c.getContact('z'), { id: 'z', name: 'Zed', tags: [] });
      assert.deepEqual(await c.getContact('n'), { id: 'n', name: null, tags: [] });
    });

    it('reads tags given as plain strings (as klink takes them in PATCH /contacts/{id}/tags), and leaves out removed ones', async () => {
      api.contacts.set('s', {
        name: 'Sam',
        tags: ['VIP', '  ', { id: 9, name: 'gold' }, { id: 'old', name: 'lead', deletedAt: '2026-01-01T00:00:00Z' }],
      });
      assert.deepEqual(await client().getContact('s'), {
        id: 's',
        name: 'Sam',
        tags: [
          { id: null, name: 'VIP' },
          { id: '9', name: 'gold' },
        ],
      });
    });

    it('an answer without a data object is a malformed answer, not a crash', async () => {
      for (const body of [null, [], 'text', { status: 200 }, { data: [] }]) {
        api.failNext({ kind: 'json', status: 200, body });
        const error = await failure(client().getContact('c/1'));
        assert.equal(error.code, 'malformed-answer', JSON.stringify(body));
      }
    });

    it('a send answer of any shape counts as sent; the id is kept when present', async () => {
      const c = client();
      const send = () => c.sendText({ contactId: 'c1', message: 'hi', createdAt: new Date(NOW) });
      api.failNext({ kind: 'json', status: 200, body: { data: { messageId: 'm-9', extra: true } } });
      assert.deepEqual(await send(), { messageId: 'm-9' });
      api.failNext({ kind: 'json', status: 201, body: { ok: true } });
      assert.deepEqual(await send(), { messageId: null });
    });
  });

  it('klinkApiClientFromConfig builds a client only when a token is configured', async () => {
    assert.equal(klinkApiClientFromConfig({ klinkApi: { token: null, baseUrl: api.baseUrl } }), null);
    const c = klinkApiClientFromConfig({ klinkApi: { token: FAKE_KLINK_TOKEN, baseUrl: `${api.baseUrl}/` } });
    assert.ok(c);
    assert.equal((await c.getContact('c/1')).name, 'Ann Lee');
    assert.equal(api.requests[0].url, '/api/v1/contacts/c%2F1');
  });
});
