/**
 * Who may reply from a card, with real Bot Framework tokens (local OpenID/JWKS server): a member
 * of the team (asked of the fake Bot Connector's roster); not someone Teams does not list there,
 * and not from a tenant the bot may not act in (the tenant gate answers with the consent card).
 * Nothing reaches klink for a refused Send. Entra's outbound token is the one thing stubbed.
 */
import assert from 'node:assert/strict';
import sinon from 'sinon';
import { AppCredentials } from 'botframework-connector';
import { signBody } from '../../src/klink/verify';
import { FAKE_KLINK_TOKEN, type FakeKlinkApi, startFakeKlinkApi } from '../support/fake-klink-api';
import { type FakeConnector, type RecordedRequest, startFakeConnector } from '../support/fake-connector';
import { type AuthenticatedApp, type FakeOpenId, TEST_BOT_ID, startAuthenticatedApp, startFakeOpenId } from '../support/fake-openid';
import { messageEvent } from '../support/fixtures';
import { BOT, TEAM, TENANT, USER, channelCommand } from '../support/teams-activities';
import { eachStore } from '../support/each-store';
import { cardTexts } from '../support/validate-card';
import { waitFor } from '../support/wait';

const FOREIGN = 'ffffffff-0000-4000-8000-00000000000f';
const BOT_ACCOUNT = { ...BOT, id: `28:${TEST_BOT_ID}` };

eachStore('replying from a card: who may (authenticated /api/messages)', function (kind) {
  this.timeout(30_000);
  let openId: FakeOpenId;
  let connector: FakeConnector;
  let api: FakeKlinkApi;
  let t: AuthenticatedApp;
  let sandbox: sinon.SinonSandbox;

  beforeEach(async () => {
    sandbox = sinon.createSandbox();
    sandbox.stub(AppCredentials.prototype, 'getToken').resolves('outbound-test-token');
    openId = await startFakeOpenId();
    connector = await startFakeConnector();
    api = await startFakeKlinkApi();
    t = await startAuthenticatedApp(
      openId,
      { KLINK_API_TOKEN: FAKE_KLINK_TOKEN, KLINK_API_BASE_URL: api.baseUrl, KLINK_REPLY: 'on' },
      kind,
      { allowHttpServiceUrls: true },
    );
  });
  afterEach(async () => {
    sandbox.restore();
    await t.close();
    await api.close();
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

  /**
   * A message of the channel's subscription, taken and dispatched (delivery itself speaks only https
   * outside local mode, so the card is not posted to the plain-http fake): what Send needs is that
   * this conversation received the event. Returns Send's data as the card carries it.
   */
  async function postedCard(): Promise<{ post: RecordedRequest; reply: Record<string, string> }> {
    const command = { ...channelCommand({ serviceUrl: connector.url }, 'subscribe whatsapp'), recipient: BOT_ACCOUNT };
    assert.equal((await send(command)).status, 200);
    await connector.waitForRequests((r) => r.route === 'replyToActivity' && r.urlActivityId === command.id, 1, 5000);
    const raw = JSON.stringify(messageEvent({ id: 'm1', roomId: 'room-a' }));
    const webhook = await fetch(`${t.url}/api/klink/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-signature': signBody('test-signing-secret', raw) },
      body: raw,
    });
    assert.equal(webhook.status, 200);
    const eventId = await waitFor(
      async () => (await t.app.store.deliveries.listDeliveries({ conversationId: TEAM }, 10))[0]?.eventId ?? null,
      {
        timeoutMs: 10_000,
        what: 'the message dispatched to the channel',
      },
    );
    const post = { activityId: '1800000000999', conversationId: `${TEAM};messageid=1800000000999` } as RecordedRequest;
    return { post, reply: { eventId: String(eventId), replyKey: 'card-action-key-1' } };
  }

  const invoke = (post: RecordedRequest, data: Record<string, string>, tenantId = TENANT) =>
    send({
      type: 'invoke',
      name: 'adaptiveCard/action',
      id: `inv-${tenantId}`,
      channelId: 'msteams',
      serviceUrl: connector.url,
      from: USER,
      recipient: BOT_ACCOUNT,
      replyToId: post.activityId,
      conversation: { id: post.conversationId, conversationType: 'channel', isGroup: true, tenantId },
      channelData: { team: { id: TEAM }, channel: { id: TEAM }, tenant: { id: tenantId } },
      value: { action: { type: 'Action.Execute', verb: 'reply', data: { ...data, replyText: 'Hello' } }, trigger: 'manual' },
    });

  it('a member of the team replies: the roster is asked by Entra object id and the reply goes to klink', async () => {
    const { post, reply } = await postedCard();
    connector.setMembers(TEAM, [{ id: USER.id, name: USER.name, aadObjectId: USER.aadObjectId }]);
    const answer = await invoke(post, reply);
    assert.equal(answer.status, 200, answer.body);
    assert.ok(connector.requests.some((r) => r.route === 'getConversationMember' && r.path.endsWith(`/members/${USER.aadObjectId}`)));
    assert.equal(api.requests.filter((r) => r.method === 'POST').length, 1);
  });

  it('someone Teams does not list as a member is refused (403) and nothing is sent', async () => {
    const { post, reply } = await postedCard();
    connector.setMembers(TEAM, [{ id: '29:other', name: 'Other', aadObjectId: 'aad-other' }]);
    const answer = await invoke(post, reply);
    assert.equal(answer.status, 403);
    assert.match(answer.body, /Only members of this team or chat can reply/);
    assert.equal(api.requests.filter((r) => r.method === 'POST').length, 0, 'nothing sent to the customer');
    assert.equal((await t.app.store.rowCounts()).card_replies, 0);
  });

  it('from a tenant the bot may not act in: the consent card, nothing sent, nothing stored', async () => {
    const { post, reply } = await postedCard();
    connector.setMembers(TEAM, [{ id: USER.id, name: USER.name, aadObjectId: USER.aadObjectId }]);
    const answer = await invoke(post, reply, FOREIGN);
    assert.equal(answer.status, 200);
    const body = JSON.parse(answer.body) as { value: unknown };
    assert.ok(cardTexts(body.value).some((text) => text.includes('not enabled for your organization')));
    assert.equal(api.requests.filter((r) => r.method === 'POST').length, 0, 'nothing sent to the customer');
    assert.equal((await t.app.store.rowCounts()).card_replies, 0);
  });
});
