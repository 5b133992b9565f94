import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import sinon from 'sinon';
import { BotConnectorClient, parseRetryAfter, type TokenSource } from '../../../src/teams/connector-client';
import { TeamsSendError } from '../../../src/teams/sender';
import { makeTempDir } from '../../support/temp-dir';

interface Received {
  method: string;
  /** The raw request target, still percent-encoded. */
  url: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

type Answer = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** A local stand-in for the Bot Connector that records every request and answers with `answer`. */
class FakeConnector {
  readonly received: Received[] = [];
  answer: Answer = (_req, res) => json(res, 200, { id: 'activity-1' });
  /** TCP connections the client opened. */
  connections = 0;
  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      this.received.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: text === '' ? undefined : JSON.parse(text),
      });
      this.answer(req, res);
    });
  });

  async start(): Promise<string> {
    this.server.on('connection', () => {
      this.connections += 1;
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** A TokenSource that hands out `token` and counts how often it was asked. */
function tokens(token: string | null): TokenSource & { calls: number } {
  const source = {
    calls: 0,
    async token() {
      source.calls += 1;
      return token;
    },
  };
  return source;
}

/**
 * A bounded wait that does not use the (possibly faked) timers: polls between I/O turns, against
 * `performance.now()`, which sinon leaves alone here.
 */
async function waitForReal(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > end) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

async function sendError(promise: Promise<unknown>): Promise<TeamsSendError> {
  let caught: unknown;
  await assert.rejects(promise, (err: unknown) => {
    caught = err;
    return err instanceof TeamsSendError;
  });
  return caught as TeamsSendError;
}

const THREAD = '19:abc123@thread.tacv2;messageid=1700000000000';
const activity = { type: 'message', text: 'hello' };

describe('BotConnectorClient', () => {
  let sandbox: sinon.SinonSandbox;
  let connector: FakeConnector;
  let serviceUrl: string;

  beforeEach(async () => {
    sandbox = sinon.createSandbox();
    connector = new FakeConnector();
    serviceUrl = await connector.start();
  });

  afterEach(async () => {
    sandbox.restore();
    await connector.stop();
  });

  describe('createConversation', () => {
    const parameters = { isGroup: true, channelData: { channel: { id: '19:abc123@thread.tacv2' } }, activity };

    it('posts the parameters to /v3/conversations with the bearer token and returns id and activity id', async () => {
      connector.answer = (_req, res) => json(res, 201, { id: `19:abc123@thread.tacv2;messageid=42`, activityId: '42' });
      const source = tokens('token-abc');
      const client = new BotConnectorClient({ tokens: source, timeoutMs: 5_000, allowHttp: true });
      const created = await client.createConversation(serviceUrl, parameters);
      assert.deepEqual(created, { conversationId: '19:abc123@thread.tacv2;messageid=42', activityId: '42' });
      assert.equal(connector.received.length, 1);
      const [request] = connector.received;
      assert.equal(request.method, 'POST');
      assert.equal(request.url, '/v3/conversations');
      assert.equal(request.headers.authorization, 'Bearer token-abc');
      assert.match(request.headers['content-type'] ?? '', /^application\/json/);
      assert.deepEqual(request.body, parameters);
      assert.equal(source.calls, 1);
    });

    it('sends no authorization header when the token source has none (local mode)', async () => {
      connector.answer = (_req, res) => json(res, 201, { id: 'conv-1' });
      const client = new BotConnectorClient({ tokens: tokens(null), timeoutMs: 5_000, allowHttp: true });
      assert.deepEqual(await client.createConversation(serviceUrl, parameters), { conversationId: 'conv-1', activityId: null });
      assert.equal(connector.received[0].headers.authorization, undefined);
    });

    it('keeps the path of a regional service URL, with or without a trailing slash', async () => {
      connector.answer = (_req, res) => json(res, 201, { id: 'conv-1', activityId: '1' });
      const client = new BotConnectorClient({ tokens: tokens(null), timeoutMs: 5_000, allowHttp: true });
      await client.createConversation(`${serviceUrl}/amer/`, parameters);
      await client.createConversation(`${serviceUrl}/emea`, parameters);
      await client.createConversation(`${serviceUrl}/`, parameters);
      assert.deepEqual(
        connector.received.map((r) => r.url),
        ['/amer/v3/conversations', '/emea/v3/conversations', '/v3/conversations'],
      );
    });

    it('a 2xx is a success whatever its body: without ids (none, empty, not JSON) they are null, in one request', async () => {
      const client = new BotConnectorClient({ tokens: tokens(null), timeoutMs: 5_000, allowHttp: true });
      connector.answer = (_req, res) => json(res, 200, { activityId: '1' });
      assert.deepEqual(await client.createConversation(serviceUrl, parameters), { conversationId: null, activityId: '1' });
      connector.answer = (_req, res) => {
        res.writeHead(201);
        res.end();
      };
      assert.deepEqual(await client.createConversation(serviceUrl, parameters), { conversationId: null, activityId: null });
      connector.answer = (_req, res) => {
        res.writeHead(201, { 'content-type': 'text/plain' });
        res.end('Created');
      };
      assert.deepEqual(await client.createConversation(serviceUrl, parameters), { conversationId: null, activityId: null });
      assert.equal(connector.received.length, 3);
    });
  });

  describe('sendToConversation', () => {
    it('percent-encodes conversation ids with ":", "@", ";" and "=" into one path segment', async () => {
      connector.answer = (_req, res) => json(res, 201, { id: 'reply-7' });
      const client = new BotConnectorClient({ tokens: tokens('t'), timeoutMs: 5_000, allowHttp: true });
      assert.equal(await client.sendToConversation(serviceUrl, THREAD, activity), 'reply-7');
      const [request] = connector.received;
      assert.equal(request.method, 'POST');
      assert.equal(request.url, '/v3/conversations/19%3Aabc123%40thread.tacv2%3Bmessageid%3D1700000000000/activities');
      const segment = request.url.split('/')[3];
      assert.equal(decodeURIComponent(segment), THREAD);
      assert.deepEqual(request.body, activity);
      assert.equal(request.headers.authorization, 'Bearer t');
    });

    it('encodes personal and group chat ids too, and "/" or "?" cannot escape the segment', async () => {
      const client = new BotConnectorClient({ tokens: tokens(null), timeoutMs: 5_000, allowHttp: true });
      for (const id of ['a:1xYz-AbC_9=', '19:meeting_Zm9v@thread.v2', 'x/../../admin?y=1#z']) {
        await client.sendToConversation(serviceUrl, id, activity);
      }
      const segments = connector.received.map((r) => r.url.split('/'));
      for (const parts of segments) {
        assert.equal(parts.length, 5, parts.join('/'));
        assert.equal(parts[4], 'activities');
      }
      assert.deepEqual(
        segments.map((parts) => decodeURIComponent(parts[3])),
        ['a:1xYz-AbC_9=', '19:meeting_Zm9v@thread.v2', 'x/../../admin?y=1#z'],
      );
    });

    it('returns null when the answer has no id', async () => {
      connector.answer = (_req, res) => {
        res.writeHead(201);
        res.end();
      };
      const client = new BotConnectorClient({ tokens: tokens(null), timeoutMs: 5_000, allowHttp: true });
      assert.equal(await client.sendToConversation(serviceUrl, THREAD, activity), null);
    });
  });

  describe('updateActivity', () => {
    it('PUTs the activity, with its id, to /v3/conversations/{id}/activities/{activityId}', async () => {
      const client = new BotConnectorClient({ tokens: tokens('t'), timeoutMs: 5_000, allowHttp: true });
      await client.updateActivity(serviceUrl, THREAD, '1700000000000', activity);
      const [request] = connector.received;
      assert.equal(request.method, 'PUT');
      assert.equal(request.url, '/v3/conversations/19%3Aabc123%40thread.tacv2%3Bmessageid%3D1700000000000/activities/1700000000000');
      assert.deepEqual(request.body, { ...activity, id: '1700000000000' });
      assert.equal(request.headers.authorization, 'Bearer t');
    });

    it('encodes the activity id as well', async () => {
      const client = new BotConnectorClient({ tokens: tokens(null), timeoutMs: 5_000, allowHttp: true });
      await client.updateActivity(serviceUrl, 'a:1', '1:2;x=y', activity);
      assert.equal(connector.received[0].url, '/v3/conversations/a%3A1/activities/1%3A2%3Bx%3Dy');
    });
  });

  describe('isMember', () => {
    it('GETs /v3/conversations/{team or chat}/members/{user} with the bot token and no body: true on 200, false on 404', async () => {
      connector.answer = (req, res) =>
        req.url?.endsWith('/members/00000000-0000-4000-8000-00000000a001')
          ? json(res, 200, { id: '29:user', aadObjectId: '00000000-0000-4000-8000-00000000a001' })
          : json(res, 404, { error: { code: 'MemberNotFoundInConversation', message: 'The member was not found.' } });
      const client = new BotConnectorClient({ tokens: tokens('t'), timeoutMs: 5_000, allowHttp: true });
      assert.equal(await client.isMember(serviceUrl, '19:team@thread.tacv2', '00000000-0000-4000-8000-00000000a001'), true);
      assert.equal(await client.isMember(serviceUrl, '19:team@thread.tacv2', '00000000-0000-4000-8000-00000000b002'), false);
      const [request] = connector.received;
      assert.equal(request.method, 'GET');
      assert.equal(request.url, '/v3/conversations/19%3Ateam%40thread.tacv2/members/00000000-0000-4000-8000-00000000a001');
      assert.equal(request.headers.authorization, 'Bearer t');
      assert.equal(request.body, undefined);
      assert.equal(request.headers['content-type'], undefined);
    });

    it('any other failure is an error, not a "no": the caller cannot tell', async () => {
      connector.answer = (_req, res) => json(res, 403, { error: { code: 'BotNotInConversationRoster' } });
      const client = new BotConnectorClient({ tokens: tokens('t'), timeoutMs: 5_000, allowHttp: true });
      const error = await sendError(client.isMember(serviceUrl, '19:team@thread.tacv2', 'user'));
      assert.equal(error.status, 403);
    });
  });

  describe('errors', () => {
    it('an error answer becomes a TeamsSendError with the status and the Teams error code', async () => {
      connector.answer = (_req, res) =>
        json(res, 403, { error: { code: 'BotNotInConversationRoster', message: 'The bot is not part of the conversation roster.' } });
      const client = new BotConnectorClient({ tokens: tokens('t'), timeoutMs: 5_000, allowHttp: true });
      const error = await sendError(client.sendToConversation(serviceUrl, THREAD, activity));
      assert.equal(error.status, 403);
      assert.equal(error.code, 'BotNotInConversationRoster');
      assert.equal(error.retryAfterMs, null);
      assert.match(error.message, /403/);
    });

    it('an error answer without a JSON error code has code null', async () => {
      const client = new BotConnectorClient({ tokens: tokens('t'), timeoutMs: 5_000, allowHttp: true });
      for (const [status, body] of [
        [502, '<html>Bad Gateway</html>'],
        [500, ''],
        [404, '{"error":"ConversationNotFound"}'],
        [400, '[1,2]'],
      ] as const) {
        connector.answer = (_req, res) => {
          res.writeHead(status, { 'content-type': 'text/html' });
          res.end(body);
        };
        const error = await sendError(client.updateActivity(serviceUrl, THREAD, '1', activity));
        assert.equal(error.status, status);
        assert.equal(error.code, null, body);
      }
    });

    it('429 carries Retry-After given in seconds', async () => {
      connector.answer = (_req, res) => json(res, 429, { error: { code: 'Throttled' } }, { 'retry-after': '7' });
      const client = new BotConnectorClient({ tokens: tokens('t'), timeoutMs: 5_000, allowHttp: true });
      const error = await sendError(client.sendToConversation(serviceUrl, THREAD, activity));
      assert.equal(error.status, 429);
      assert.equal(error.code, 'Throttled');
      assert.equal(error.retryAfterMs, 7_000);
    });

    it('429 carries Retry-After given as an HTTP date', async () => {
      const now = Date.parse('2026-01-10T08:00:00Z');
      sandbox.useFakeTimers({ now, toFake: ['Date'] });
      connector.answer = (_req, res) =>
        json(res, 429, { error: { code: 'Throttled' } }, { 'retry-after': 'Sat, 10 Jan 2026 08:00:45 GMT' });
      const client = new BotConnectorClient({ tokens: tokens('t'), timeoutMs: 5_000, allowHttp: true });
      const error = await sendError(client.sendToConversation(serviceUrl, THREAD, activity));
      assert.equal(error.retryAfterMs, 45_000);
    });

    it('no answer within timeoutMs becomes status null, code Timeout', async () => {
      connector.answer = () => undefined; // never answers
      const client = new BotConnectorClient({ tokens: tokens('t'), timeoutMs: 150, allowHttp: true });
      const error = await sendError(client.sendToConversation(serviceUrl, THREAD, activity));
      assert.equal(error.status, null);
      assert.equal(error.code, 'Timeout');
      assert.equal(error.retryAfterMs, null);
      assert.equal(connector.received.length, 1);
    });

    it('the timeout covers getting the token and the request together', async () => {
      connector.answer = () => undefined; // never answers
      // Timers and Date on an injected clock; the HTTP request itself is real.
      const clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
      try {
        const slowToken: TokenSource = { token: () => new Promise((resolve) => setTimeout(() => resolve('t'), 200)) };
        const client = new BotConnectorClient({ tokens: slowToken, timeoutMs: 300, allowHttp: true });
        const outcome = sendError(client.sendToConversation(serviceUrl, THREAD, activity));
        await clock.tickAsync(200); // the token arrives; the request goes out with 100 ms left
        await waitForReal(() => connector.received.length === 1);
        await clock.tickAsync(100); // 300 ms after the call began: its deadline, not the request's own 300 ms
        const settled = await Promise.race([outcome, new Promise<'pending'>((resolve) => setImmediate(() => resolve('pending')))]);
        assert.notEqual(settled, 'pending', 'the call was still waiting 300 ms after it began (timeout 300 ms, token 200 ms)');
        assert.equal((settled as TeamsSendError).code, 'Timeout');
      } finally {
        clock.restore();
      }
    });

    it('a refused connection becomes status null with the network error code', async () => {
      const closed = new FakeConnector();
      const deadUrl = await closed.start();
      await closed.stop();
      const client = new BotConnectorClient({ tokens: tokens('t'), timeoutMs: 5_000, allowHttp: true });
      const error = await sendError(client.sendToConversation(deadUrl, THREAD, activity));
      assert.equal(error.status, null);
      assert.equal(error.code, 'ECONNREFUSED');
      assert.equal(error.retryAfterMs, null);
    });

    for (const [status, code, headers] of [
      [503, 'ServiceUnavailable', {}],
      [429, 'Throttled', { 'retry-after': '0' }],
      [500, 'InternalServerError', {}],
      [412, 'PreconditionFailed', {}],
    ] as const) {
      it(`sends exactly one request per call, even on ${status}`, async () => {
        connector.answer = (_req, res) => json(res, status, { error: { code } }, headers);
        const client = new BotConnectorClient({ tokens: tokens('t'), timeoutMs: 5_000, allowHttp: true });
        await sendError(client.sendToConversation(serviceUrl, THREAD, activity));
        assert.equal(connector.received.length, 1);
        await sendError(client.createConversation(serviceUrl, { isGroup: true }));
        assert.equal(connector.received.length, 2);
        await sendError(client.updateActivity(serviceUrl, THREAD, '1', activity));
        assert.equal(connector.received.length, 3);
      });
    }
  });
});

describe('BotConnectorClient connections', () => {
  let connector: FakeConnector;
  let serviceUrl: string;
  let client: BotConnectorClient;

  beforeEach(async () => {
    connector = new FakeConnector();
    serviceUrl = await connector.start();
    client = new BotConnectorClient({ tokens: tokens('t'), timeoutMs: 5_000, allowHttp: true });
  });

  afterEach(async () => {
    client.close();
    await connector.stop();
  });

  it('keeps connections alive: consecutive posts reuse one connection, concurrent ones open a few', async () => {
    for (let i = 0; i < 5; i++) await client.sendToConversation(serviceUrl, THREAD, activity);
    assert.equal(connector.connections, 1);
    await Promise.all(Array.from({ length: 8 }, () => client.sendToConversation(serviceUrl, THREAD, activity)));
    assert.equal(connector.received.length, 13);
    assert.ok(connector.connections <= 9, `${connector.connections} connections for 13 requests`);
  });

  it('an oversized answer keeps its status without its body: a 2xx is a success (no id), an error stays an error', async () => {
    connector.answer = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`{"id":"${'x'.repeat(2 * 1024 * 1024)}"}`);
    };
    assert.equal(await client.sendToConversation(serviceUrl, THREAD, activity), null);
    connector.answer = (_req, res) => {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end(`{"error":{"code":"${'x'.repeat(2 * 1024 * 1024)}"}}`);
    };
    const error = await sendError(client.sendToConversation(serviceUrl, THREAD, activity));
    assert.equal(error.status, 503);
    assert.equal(error.code, null);
    assert.equal(connector.received.length, 2, 'one request each');
  });

  it('a service URL that is not http(s) is refused without a request', async () => {
    const error = await sendError(client.sendToConversation('ftp://smba.example.net/', THREAD, activity));
    assert.equal(error.code, 'BadServiceUrl');
    const garbage = await sendError(client.sendToConversation('not a url', THREAD, activity));
    assert.equal(garbage.code, 'BadServiceUrl');
    assert.equal(connector.received.length, 0);
  });

  it('refuses an http service URL unless told otherwise (local mode), before asking for a token or connecting', async () => {
    const source = tokens('secret-token');
    const strict = new BotConnectorClient({ tokens: source, timeoutMs: 5_000 });
    try {
      const error = await sendError(strict.sendToConversation(serviceUrl, THREAD, activity));
      assert.equal(error.code, 'InsecureServiceUrl');
      assert.equal(source.calls, 0, 'no token was even requested');
      assert.equal(connector.received.length, 0, 'nothing was sent to the http service URL');
    } finally {
      strict.close();
    }
  });

  it('speaks TLS to an https service URL and refuses a certificate it cannot trust, before sending anything', async () => {
    const temp = makeTempDir();
    const key = path.join(temp.dir, 'key.pem');
    const cert = path.join(temp.dir, 'cert.pem');
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1'],
      { stdio: 'ignore' },
    );
    let connections = 0;
    let requests = 0;
    const server = https.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, (_req, res) => {
      requests += 1;
      res.end('{}');
    });
    server.on('connection', () => {
      connections += 1;
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const error = await sendError(client.sendToConversation(`https://127.0.0.1:${port}/`, THREAD, activity));
      assert.equal(error.status, null);
      assert.match(error.code ?? '', /SELF_SIGNED|UNABLE_TO_VERIFY/);
      assert.equal(connections, 1, 'it connected (and the TLS handshake failed)');
      assert.equal(requests, 0, 'nothing (no token) was sent to the untrusted server');
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      temp.remove();
    }
  });

  it('after close() the next post connects again', async () => {
    await client.sendToConversation(serviceUrl, THREAD, activity);
    client.close();
    await client.sendToConversation(serviceUrl, THREAD, activity);
    assert.equal(connector.connections, 2);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2015-10-21T07:28:00Z');

  it('reads delay-seconds as milliseconds', () => {
    assert.equal(parseRetryAfter('120', now), 120_000);
    assert.equal(parseRetryAfter('0', now), 0);
    assert.equal(parseRetryAfter('1.5', now), 1_500);
    assert.equal(parseRetryAfter(' 3 ', now), 3_000);
  });

  it('reads an HTTP date as the time left until it', () => {
    assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:28:30 GMT', now), 30_000);
    assert.equal(parseRetryAfter('Wed, 21 Oct 2015 08:28:00 GMT', now), 3_600_000);
  });

  it('a date in the past means no wait', () => {
    assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:27:00 GMT', now), 0);
  });

  it('is null when absent or unreadable', () => {
    for (const value of [null, '', '   ', 'soon', 'in 5 minutes']) {
      assert.equal(parseRetryAfter(value, now), null, String(value));
    }
  });
});
