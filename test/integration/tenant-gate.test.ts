/**
 * The tenant gate, with real Bot Framework tokens (local OpenID/JWKS server): the bot acts in its
 * home tenant, ALLOWED_TENANTS and consented tenants; elsewhere it stores nothing and answers
 * with a card linking to admin consent. Entra's outbound token is the one thing stubbed: it is
 * requested from login.microsoftonline.com, which tests cannot reach.
 */
import assert from 'node:assert/strict';
import sinon from 'sinon';
import { AppCredentials } from 'botframework-connector';
import { type FakeConnector, startFakeConnector } from '../support/fake-connector';
import { type AuthenticatedApp, type FakeOpenId, TEST_BOT_ID, startAuthenticatedApp, startFakeOpenId } from '../support/fake-openid';
import { eachStore } from '../support/each-store';
import { BOT, TENANT, channelCommand, installationUpdate } from '../support/teams-activities';
import { cardTexts } from '../support/validate-card';

const FOREIGN = 'ffffffff-0000-4000-8000-00000000000f';
const ALLOWED = 'a11a11a1-0000-4000-8000-000000000001';
const CHANNEL = '19:foreign-general@thread.tacv2';

eachStore('tenant gate (authenticated /api/messages)', function (kind) {
  this.timeout(30_000);
  let openId: FakeOpenId;
  let connector: FakeConnector;
  let t: AuthenticatedApp;
  let sandbox: sinon.SinonSandbox;
  /** botbuilder writes failures to console.error: captured, and each test proves there were none. */
  let consoleError: sinon.SinonStub;

  beforeEach(async () => {
    sandbox = sinon.createSandbox();
    sandbox.stub(AppCredentials.prototype, 'getToken').resolves('outbound-test-token');
    consoleError = sandbox.stub(console, 'error');
    openId = await startFakeOpenId();
    connector = await startFakeConnector();
    // The fake Bot Connector speaks plain http; production accepts only https service URLs.
    t = await startAuthenticatedApp(openId, { ALLOWED_TENANTS: ALLOWED }, kind, { allowHttpServiceUrls: true });
  });
  afterEach(async () => {
    sandbox.restore();
    await t.close();
    await connector.close();
    await openId.close();
  });

  async function send(activity: object): Promise<{ status: number; body: string }> {
    const token = openId.mintToken({ audience: TEST_BOT_ID, serviceUrl: connector.url });
    const response = await fetch(`${t.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(activity),
    });
    return { status: response.status, body: await response.text() };
  }

  const command = (tenantId: string, text: string) => ({
    ...channelCommand({ serviceUrl: connector.url, channelId: CHANNEL, tenantId }, text),
    recipient: { ...BOT, id: `28:${TEST_BOT_ID}` },
  });

  function assertNothingOnConsoleError(): void {
    assert.deepEqual(
      consoleError.args.map((args) => args.map(String).join(' ')),
      [],
      'console.error',
    );
  }

  async function replyTo(activityId: string): Promise<string[]> {
    const [reply] = await connector.waitForRequests((r) => r.route === 'replyToActivity' && r.urlActivityId === activityId, 1, 5000);
    assert.equal(reply.headers.authorization, 'Bearer outbound-test-token');
    return cardTexts(reply.activity?.attachments?.[0]?.content);
  }

  it('in a tenant without consent: stores nothing and answers with the admin consent link', async () => {
    const activity = command(FOREIGN, 'subscribe whatsapp');
    assert.equal((await send(activity)).status, 200);
    const texts = await replyTo(activity.id);
    assert.ok(texts.some((text) => text.includes('not enabled for your organization')));
    const [reply] = connector.requests.filter((r) => r.route === 'replyToActivity');
    const card = reply.activity?.attachments?.[0]?.content as { actions: Array<{ url: string }> };
    assert.equal(card.actions[0].url, `https://klink-teams.test/admin/consent?tenant=${FOREIGN}&requestedBy=Mia+Agent`);
    assert.equal(await t.app.store.conversations.getConversation(CHANNEL), null);
    assert.equal((await t.app.store.conversations.activeSubscriptions()).length, 0);

    assert.equal((await send(installationUpdate({ serviceUrl: connector.url, channelId: CHANNEL, tenantId: FOREIGN }, 'add'))).status, 200);
    assert.equal(await t.app.store.conversations.getConversation(CHANNEL), null, 'an install is not recorded either');
    assert.deepEqual(await t.app.store.budget.slotsSince(0), [], 'nor do the answers take from its budget');
    assertNothingOnConsoleError();
  });

  it('answers a card button from a tenant without consent with the same explanation, in place', async () => {
    const { status, body } = await send({
      type: 'invoke',
      name: 'adaptiveCard/action',
      id: 'inv-1',
      channelId: 'msteams',
      serviceUrl: connector.url,
      from: { id: '29:x', name: 'Mia Agent' },
      recipient: { ...BOT, id: `28:${TEST_BOT_ID}` },
      conversation: { id: `${CHANNEL};messageid=1`, conversationType: 'channel', isGroup: true, tenantId: FOREIGN },
      channelData: { tenant: { id: FOREIGN }, channel: { id: CHANNEL } },
      value: { action: { type: 'Action.Execute', verb: 'muteRoom', data: { roomId: 'r', muteFor: '3600000' } } },
    });
    assert.equal(status, 200);
    const response = JSON.parse(body) as { statusCode: number; value: unknown };
    assert.equal(response.statusCode, 200);
    assert.ok(cardTexts(response.value).some((text) => text.includes('not enabled for your organization')));
    assert.deepEqual(await t.app.store.conversations.mutedRooms(0), []);
    assertNothingOnConsoleError();
  });

  it('acts in the home tenant, in ALLOWED_TENANTS, and in a tenant once its admin consented', async () => {
    for (const tenant of [TENANT, ALLOWED]) {
      const activity = command(tenant, 'subscribe whatsapp');
      assert.equal(
        (await send({ ...activity, channelData: { ...activity.channelData, channel: { id: `${CHANNEL}-${tenant}` } } })).status,
        200,
      );
      assert.ok(
        (await replyTo(activity.id)).some((text) => /Subscribed/.test(text)),
        `subscribed in ${tenant}`,
      );
    }
    await t.app.store.tenants.recordConsent({
      tenantId: FOREIGN.toUpperCase(),
      grantedBy: null,
      scopes: ['https://graph.microsoft.com/.default'],
      grantedAt: 1,
    });
    const activity = command(FOREIGN, 'subscribe whatsapp');
    assert.equal((await send(activity)).status, 200);
    assert.ok((await replyTo(activity.id)).some((text) => /Subscribed/.test(text)));
    assert.equal((await t.app.store.conversations.getConversation(CHANNEL))?.tenantId, FOREIGN);

    await t.app.store.tenants.revokeTenant(FOREIGN, 'revoked by operator', 2);
    const after = command(FOREIGN, 'subscriptions');
    assert.equal((await send(after)).status, 200);
    assert.ok(
      (await replyTo(after.id)).some((text) => text.includes('not enabled for your organization')),
      'revocation closes the gate again',
    );
    assert.equal((await t.app.store.conversations.getConversation(CHANNEL))?.active, false);
    assertNothingOnConsoleError();
  });
});
