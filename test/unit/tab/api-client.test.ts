/**
 * The tab's API client against a real HTTP server on loopback: the bearer token on every call, a
 * fresh token and one retry after a 401, a sign-in failure after the second, calls without a token
 * when Teams gives none (local mode), unknown routes, and no server at all.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { TabApi, type TokenAnswer } from '../../../tab/src/logic/api-client';

interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
  body: string;
}

type Reply = { status: number; type?: string; body?: unknown };

const EXPIRED: Reply = {
  status: 401,
  type: 'application/problem+json',
  body: { type: 'urn:klink-teams:problem:expired', title: 'Not signed in', status: 401, detail: 'Your Teams sign-in has expired.' },
};

describe('tab API client (loopback server)', () => {
  let server: http.Server;
  let base: string;
  let seen: Seen[];
  let replies: Reply[];

  beforeEach(async () => {
    seen = [];
    replies = [];
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization, body });
        const reply = replies.shift() ?? { status: 200, body: { conversationId: 'c', subscriptions: [] } };
        res.writeHead(reply.status, { 'content-type': reply.type ?? 'application/json' });
        res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  /** Token source handing out token-1, token-2, …; records whether each was asked fresh. */
  function tokens(answer?: TokenAnswer) {
    const asked: boolean[] = [];
    const source = async (fresh: boolean): Promise<TokenAnswer> => {
      asked.push(fresh);
      return answer ?? { ok: true, token: `token-${asked.length}` };
    };
    return { asked, source };
  }

  it('sends the token, and the conversation id as one encoded path segment', async () => {
    const t = tokens();
    const api = new TabApi(base, t.source);
    const answer = await api.subscriptions('19:abc/def@thread.tacv2');
    assert.deepEqual(answer, { ok: true, status: 200, value: { conversationId: 'c', subscriptions: [] } });
    assert.deepEqual(seen, [
      {
        method: 'GET',
        url: '/api/tab/conversations/19%3Aabc%2Fdef%40thread.tacv2/subscriptions',
        authorization: 'Bearer token-1',
        body: '',
      },
    ]);
    await api.addSubscription('c1', 'whatsapp vip');
    assert.equal(seen[1].authorization, 'Bearer token-1', 'the token is kept between calls');
    assert.deepEqual(JSON.parse(seen[1].body), { filters: 'whatsapp vip' });
    assert.deepEqual(t.asked, [false]);
  });

  it('asks Teams for one token when several calls start at once', async () => {
    const t = tokens();
    const api = new TabApi(base, t.source);
    await Promise.all([api.subscriptions('c1'), api.mutedRooms('c1'), api.deliveries('c1')]);
    assert.deepEqual(t.asked, [false]);
    assert.deepEqual(
      seen.map((s) => s.authorization),
      ['Bearer token-1', 'Bearer token-1', 'Bearer token-1'],
    );
  });

  it('after a 401 asks Teams for a fresh token once and retries once', async () => {
    const t = tokens();
    replies.push(EXPIRED);
    const answer = await new TabApi(base, t.source).subscriptions('c1');
    assert.equal(answer.ok, true);
    assert.deepEqual(
      seen.map((s) => s.authorization),
      ['Bearer token-1', 'Bearer token-2'],
    );
    assert.deepEqual(t.asked, [false, true]);
  });

  it("a second 401 is a sign-in failure with the server's words, and no third request", async () => {
    const t = tokens();
    replies.push(EXPIRED, EXPIRED);
    const answer = await new TabApi(base, t.source).subscriptions('c1');
    assert.deepEqual(answer, { ok: false, failure: { kind: 'sign-in', detail: 'Your Teams sign-in has expired.' } });
    assert.equal(seen.length, 2);
  });

  it('calls refused together ask Teams for one fresh token', async () => {
    const t = tokens();
    replies.push(EXPIRED, EXPIRED, EXPIRED);
    const api = new TabApi(base, t.source);
    const answers = await Promise.all([api.subscriptions('c1'), api.mutedRooms('c1'), api.deliveries('c1')]);
    assert.deepEqual(
      answers.map((a) => a.ok),
      [true, true, true],
    );
    assert.deepEqual(t.asked, [false, true]);
    assert.deepEqual(
      seen.map((s) => s.authorization),
      ['Bearer token-1', 'Bearer token-1', 'Bearer token-1', 'Bearer token-2', 'Bearer token-2', 'Bearer token-2'],
    );
  });

  it('without a token from Teams still calls (local mode answers) and sends no Authorization', async () => {
    const t = tokens({ ok: false, reason: 'App resource not registered' });
    const answer = await new TabApi(base, t.source).subscriptions('c1');
    assert.equal(answer.ok, true);
    assert.equal(seen[0].authorization, undefined);
  });

  it("without a token, a server that wants one gets the token's reason reported", async () => {
    const t = tokens({ ok: false, reason: 'resourceRequiresConsent' });
    replies.push(EXPIRED, EXPIRED);
    const answer = await new TabApi(base, t.source).subscriptions('c1');
    assert.deepEqual(answer, { ok: false, failure: { kind: 'token', reason: 'resourceRequiresConsent' } });
  });

  it('reads problem+json failures and routes this server does not have', async () => {
    replies.push(
      {
        status: 400,
        type: 'application/problem+json',
        body: { type: 'urn:klink-teams:problem:invalid-filters', title: 'Bad', detail: 'Nothing was subscribed.', problems: ['x'] },
      },
      { status: 404, body: { code: 'ResourceNotFound', message: 'no route' } },
    );
    const api = new TabApi(base, tokens().source);
    const bad = await api.addSubscription('c1', 'whatsap');
    assert.deepEqual(bad, {
      ok: false,
      failure: { kind: 'problem', status: 400, code: 'invalid-filters', title: 'Bad', detail: 'Nothing was subscribed.', problems: ['x'] },
    });
    assert.deepEqual(await api.vocabulary(), { ok: false, failure: { kind: 'not-available', status: 404 } });
  });

  it('reports a network failure when nothing answers', async () => {
    const answer = await new TabApi('http://127.0.0.1:1', tokens().source).me();
    assert.equal(answer.ok, false);
    assert.equal(!answer.ok && answer.failure.kind, 'network');
  });
});
