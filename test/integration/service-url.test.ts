/**
 * Outside local mode the bot speaks to the Bot Connector only over https: an activity that names
 * an http service URL is refused before the bot runs, so no bearer token is ever sent there (and
 * nothing is stored). Real app with Bot Framework authentication, fake login.botframework.com,
 * a fake Bot Connector listening on plain http. A conversation stored with an http service URL
 * (before this rule, or written by hand) gets its deliveries refused the same way.
 */
import assert from 'node:assert/strict';
import sinon from 'sinon';
import { AppCredentials } from 'botframework-connector';
import { type FakeConnector, startFakeConnector } from '../support/fake-connector';
import { type AuthenticatedApp, type FakeOpenId, TEST_BOT_ID, startAuthenticatedApp, startFakeOpenId } from '../support/fake-openid';
import { signBody } from '../../src/klink/verify';
import { emptyFilters } from '../../src/subscriptions/filters';
import { sample } from '../support/fixtures';
import { BOT, TEAM, TENANT, channelCommand, membersUpdate } from '../support/teams-activities';
import { waitFor } from '../support/wait';

describe('http Bot Connector service URLs outside local mode', () => {
  let openId: FakeOpenId;
  let connector: FakeConnector;
  let t: AuthenticatedApp;
  let sandbox: sinon.SinonSandbox;
  let consoleErrors: sinon.SinonStub;

  beforeEach(async () => {
    sandbox = sinon.createSandbox();
    // Entra's outbound token comes from login.microsoftonline.com, which tests cannot reach.
    sandbox.stub(AppCredentials.prototype, 'getToken').resolves('outbound-secret-token');
    consoleErrors = sandbox.stub(console, 'error');
    openId = await startFakeOpenId();
    connector = await startFakeConnector();
    t = await startAuthenticatedApp(openId);
  });
  afterEach(async function () {
    sandbox.restore();
    // A refused service URL is an answer, not an error: nothing may reach console.error.
    if (this.currentTest?.state === 'passed') assert.deepEqual(consoleErrors.args, [], 'console.error');
    await t.close();
    await connector.close();
    await openId.close();
  });

  async function send(activity: { serviceUrl: string }): Promise<number> {
    // A correctly signed token whose serviceurl claim names the same http URL: only the scheme is wrong.
    const token = openId.mintToken({ audience: TEST_BOT_ID, serviceUrl: activity.serviceUrl });
    const response = await fetch(`${t.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(activity),
    });
    await response.arrayBuffer();
    return response.status;
  }

  it('refuses a command whose serviceUrl is http: no request (no token) reaches it, nothing is stored', async () => {
    assert.match(connector.url, /^http:/);
    const before = await t.app.store.rowCounts();
    const command = {
      ...channelCommand({ serviceUrl: connector.url, channelId: '19:http-case@thread.tacv2' }, 'help'),
      recipient: { ...BOT, id: `28:${TEST_BOT_ID}` },
    };
    const added = membersUpdate({ serviceUrl: connector.url, channelId: '19:http-case-2@thread.tacv2' }, 'membersAdded');
    const statuses = [await send(command), await send(added)];
    const leaked = connector.requests.map((r) => `${r.route} (authorization: ${r.headers.authorization ?? 'none'})`);
    assert.deepEqual(leaked, [], 'no request may reach the http connector');
    assert.deepEqual(statuses, [400, 400]);
    assert.deepEqual(await t.app.store.rowCounts(), before);
  });

  it('never delivers to a stored conversation whose serviceUrl is http: no request reaches it, the delivery records why', async () => {
    const channelId = '19:stored-http@thread.tacv2';
    await t.app.store.conversations.upsertConversation(
      {
        id: channelId,
        type: 'channel',
        tenantId: TENANT,
        serviceUrl: connector.url,
        channelId,
        teamId: TEAM,
        botId: `28:${TEST_BOT_ID}`,
        botName: 'klink',
      },
      Date.now(),
    );
    await t.app.store.conversations.addSubscription(channelId, emptyFilters(), null, Date.now());
    const raw = JSON.stringify(sample('message.inbound'));
    const webhook = await fetch(`${t.url}/api/klink/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-signature': signBody('test-signing-secret', raw) },
      body: raw,
    });
    assert.equal(webhook.status, 200);
    // Attempted: either it reached the connector, or the delivery recorded an error.
    const [delivery] = await waitFor(
      async () => {
        const listed = await t.app.store.deliveries.listDeliveries({ conversationId: channelId }, 10);
        return (connector.requests.length > 0 || listed.some((d) => d.lastError !== null)) && listed;
      },
      { timeoutMs: 10_000, what: 'a delivery attempt' },
    );
    const leaked = connector.requests.map((r) => `${r.route} (authorization: ${r.headers.authorization ?? 'none'})`);
    assert.deepEqual(leaked, [], 'no request may reach the http connector');
    assert.match(delivery.lastError ?? '', /InsecureServiceUrl|not https/);
  });
});
