/**
 * What leaves the process when something fails: /api/messages answers 401 for a token it cannot
 * validate and 503 when login.botframework.com's metadata cannot be fetched (our outage, Teams
 * retries), never 500 with a library's message; a 500 carries a generic text and a correlation id
 * that the log has with the details. Real app, real SQLite file, fake login.botframework.com.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import sinon from 'sinon';
import { type AuthenticatedApp, type FakeOpenId, TEST_BOT_ID, startAuthenticatedApp, startFakeOpenId } from '../support/fake-openid';
import { channelCommand, membersUpdate } from '../support/teams-activities';
import { sample } from '../support/fixtures';
import { type TestApp, startTestApp } from '../support/test-app';

const SERVICE_URL = 'https://smba.trafficmanager.net/emea/';

/** Library and network words that must never reach a caller. */
const INTERNAL_TEXT = /openID|ECONNREFUSED|ECONNRESET|socket hang up|request to|Failed to load|\w+Error\b|at \w+ \(|127\.0\.0\.1/i;

async function post(url: string, activity: object, authorization?: string): Promise<{ status: number; body: string; headers: Headers }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (authorization !== undefined) headers.authorization = authorization;
  const response = await fetch(`${url}/api/messages`, { method: 'POST', headers, body: JSON.stringify(activity) });
  return { status: response.status, body: await response.text(), headers: response.headers };
}

describe('error answers: no internal text leaves the process', () => {
  let sandbox: sinon.SinonSandbox;
  let consoleError: sinon.SinonStub;
  beforeEach(() => {
    sandbox = sinon.createSandbox();
    consoleError = sandbox.stub(console, 'error');
  });
  afterEach(() => sandbox.restore());

  for (const outage of ['error', 'reset'] as const) {
    describe(`Bot Framework OpenID metadata unavailable (${outage === 'error' ? 'answers 500' : 'connection dropped'})`, () => {
      let fake: FakeOpenId;
      let t: AuthenticatedApp;
      before(async () => {
        fake = await startFakeOpenId();
        fake.outage = outage;
        t = await startAuthenticatedApp(fake);
      });
      after(async () => {
        await t?.close();
        await fake?.close();
      });

      it('answers 503 with a generic text, stores nothing, and logs the cause with a correlation id', async () => {
        const token = fake.mintToken({ audience: TEST_BOT_ID, serviceUrl: SERVICE_URL });
        const before = await t.app.store.rowCounts();
        const answer = await post(
          t.url,
          membersUpdate({ serviceUrl: SERVICE_URL, channelId: '19:outage@thread.tacv2' }, 'membersAdded'),
          `Bearer ${token}`,
        );
        assert.equal(answer.status, 503, `expected 503, got ${answer.status}: ${answer.body}`);
        assert.doesNotMatch(answer.body, INTERNAL_TEXT);
        const body = JSON.parse(answer.body) as { error: string; correlationId: string };
        assert.match(body.correlationId, /^[0-9a-f-]{36}$/);
        assert.deepEqual(await t.app.store.rowCounts(), before);
        const logged = t.logs
          .map((line) => JSON.parse(line) as Record<string, unknown>)
          .find((line) => line.correlationId === body.correlationId);
        assert.ok(logged, 'the log has the correlation id');
        assert.equal(consoleError.callCount, 0, 'nothing is printed around the logger');
      });
    });
  }

  describe('a token that cannot be validated', () => {
    let fake: FakeOpenId;
    let t: AuthenticatedApp;
    before(async () => {
      fake = await startFakeOpenId();
      t = await startAuthenticatedApp(fake);
    });
    after(async () => {
      await t?.close();
      await fake?.close();
    });

    it("is 401 without the validation library's message", async () => {
      const forged = fake.mintToken({ audience: TEST_BOT_ID, serviceUrl: SERVICE_URL, key: 'unknown' });
      const answer = await post(
        t.url,
        membersUpdate({ serviceUrl: SERVICE_URL, channelId: '19:forged@thread.tacv2' }, 'membersAdded'),
        `Bearer ${forged}`,
      );
      assert.equal(answer.status, 401);
      assert.doesNotMatch(answer.body, /Signing Key|endorse|kid|token/i);
      assert.equal(consoleError.callCount, 0, 'nothing is printed around the logger');
    });
  });

  describe('an unexpected failure in a turn (local mode)', () => {
    let t: TestApp;
    let connector: http.Server;
    let connectorUrl: string;
    before(async () => {
      t = await startTestApp();
      // A Bot Connector that refuses every reply: the turn's answer and onTurnError's apology both fail.
      connector = http.createServer((_req, res) => {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'BadArgument', message: 'connector-internal-detail' } }));
      });
      await new Promise<void>((resolve) => connector.listen(0, '127.0.0.1', resolve));
      connectorUrl = `http://127.0.0.1:${(connector.address() as AddressInfo).port}/`;
    });
    after(async () => {
      await t?.close();
      connector?.closeAllConnections();
      await new Promise<void>((resolve) => connector?.close(() => resolve()));
    });

    it('answers 500 with a generic text and a correlation id the log has with the details', async () => {
      const answer = await post(t.url, channelCommand({ serviceUrl: connectorUrl }, 'help'));
      assert.equal(answer.status, 500, answer.body);
      assert.doesNotMatch(answer.body, INTERNAL_TEXT);
      assert.doesNotMatch(answer.body, /connector-internal-detail|BadArgument/);
      const body = JSON.parse(answer.body) as { error: string; correlationId: string };
      assert.match(body.correlationId, /^[0-9a-f-]{36}$/);
      const logged = t.logs
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .find((line) => line.correlationId === body.correlationId);
      assert.ok(logged, 'the log has the correlation id');
      assert.match(JSON.stringify(logged), /connector-internal-detail/, 'the details are in the log');
      assert.equal(consoleError.callCount, 0, 'nothing is printed around the logger');
    });
  });

  describe('a route that fails without answering (the store is gone)', () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp();
    });
    after(async () => t?.close());

    it("answers 500 with a generic text and a correlation id, not the error's message", async () => {
      await t.app.store.close();
      const answer = await t.webhook(sample('message.inbound'));
      assert.equal(answer.status, 500, JSON.stringify(answer.json));
      assert.doesNotMatch(JSON.stringify(answer.json), /database|connection|not open|\w+Error\b/i);
      assert.match(String(answer.json.correlationId), /^[0-9a-f-]{36}$/);
      const logged = t.logs
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .find((line) => line.correlationId === answer.json.correlationId);
      assert.ok(logged, 'the log has the correlation id');
    });
  });
});
