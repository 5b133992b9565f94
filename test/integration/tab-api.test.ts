/**
 * The tab's API (`/api/tab/…`) on the real app outside local mode: Teams SSO tokens are real RS256
 * tokens from a local Entra (OpenID metadata + JWKS), membership is asked of the fake Bot
 * Connector at the wire, and the store is the same one the `@klink` commands use, so a change in
 * the tab shows in `@klink subscriptions` and the reverse. Entra's outbound bot token is the one
 * thing stubbed: it is requested from login.microsoftonline.com, which tests cannot reach.
 */
import assert from 'node:assert/strict';
import sinon from 'sinon';
import { AppCredentials } from 'botframework-connector';
import { type FakeConnector, connectorErrors, startFakeConnector } from '../support/fake-connector';
import { type FakeEntra, type UserTokenOptions, startFakeEntra } from '../support/fake-entra';
import { type AuthenticatedApp, type FakeOpenId, TEST_BOT_ID, startAuthenticatedApp, startFakeOpenId } from '../support/fake-openid';
import { eachStore } from '../support/each-store';
import { BOT, TEAM, TENANT, USER, channelCommand, installationUpdate } from '../support/teams-activities';
import { type TestApp, TestClock, startTestApp } from '../support/test-app';
import { cardTexts } from '../support/validate-card';

const CHANNEL = '19:tab-vip-desk@thread.tacv2';
const MEMBER_OID = '0a1b2c3d-0000-4000-8000-00000000a001';
const STRANGER_OID = '0a1b2c3d-0000-4000-8000-00000000b002';
const FOREIGN = 'ffffffff-0000-4000-8000-00000000000f';
const ALLOWED = 'a11a11a1-0000-4000-8000-000000000001';
const APP_ID_URI = `api://klink-teams.test/botid-${TEST_BOT_ID}`;
const WHATSAPP_VIP = 'Customer messages on WhatsApp from VIP contacts (tagged VIP or VVIP).';
const PROBLEM_JSON = 'application/problem+json';

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

eachStore('tab API (/api/tab/…, Teams SSO)', function (kind) {
  this.timeout(30_000);
  let openId: FakeOpenId;
  let entra: FakeEntra;
  let connector: FakeConnector;
  let t: AuthenticatedApp;
  let clock: TestClock;
  let sandbox: sinon.SinonSandbox;

  beforeEach(async () => {
    sandbox = sinon.createSandbox();
    sandbox.stub(AppCredentials.prototype, 'getToken').resolves('outbound-test-token');
    openId = await startFakeOpenId();
    entra = await startFakeEntra({ clientId: TEST_BOT_ID });
    connector = await startFakeConnector();
    clock = new TestClock();
    t = await startAuthenticatedApp(openId, { ALLOWED_TENANTS: ALLOWED }, kind, {
      allowHttpServiceUrls: true,
      tabAuthorityHost: entra.url,
      now: clock.now,
    });
    connector.setMembers(TEAM, [{ id: USER.id, name: USER.name, aadObjectId: MEMBER_OID }]);
    // The bot is installed in the team: the channel is recorded with its service URL and team id.
    const installed = installationUpdate({ serviceUrl: connector.url, channelId: CHANNEL }, 'add');
    assert.equal(await sendActivity(installed), 200);
    await connector.waitForRequests((r) => r.route === 'replyToActivity' && r.urlActivityId === installed.id);
  });
  afterEach(async () => {
    sandbox.restore();
    await t.close();
    await connector.close();
    await entra.close();
    await openId.close();
  });

  async function sendActivity(activity: object): Promise<number> {
    const token = openId.mintToken({ audience: TEST_BOT_ID, serviceUrl: connector.url });
    const response = await fetch(`${t.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ ...activity, recipient: { ...BOT, id: `28:${TEST_BOT_ID}` } }),
    });
    await response.arrayBuffer();
    return response.status;
  }

  /** `@klink <text>` in the channel; the texts of the bot's reply card. */
  async function command(text: string): Promise<string[]> {
    const activity = channelCommand({ serviceUrl: connector.url, channelId: CHANNEL }, text);
    assert.equal(await sendActivity(activity), 200);
    const [reply] = await connector.waitForRequests((r) => r.route === 'replyToActivity' && r.urlActivityId === activity.id);
    return cardTexts(reply.activity?.attachments?.[0]?.content);
  }

  function userToken(overrides: Partial<UserTokenOptions> = {}): string {
    return entra.mintUserToken({ tenant: TENANT, audience: APP_ID_URI, oid: MEMBER_OID, ...overrides });
  }

  async function call(method: string, path: string, options: { token?: string | null; body?: unknown } = {}): Promise<Answer> {
    const token = options.token === undefined ? userToken() : options.token;
    const headers: Record<string, string> = {};
    if (token !== null) headers.authorization = `Bearer ${token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${t.url}/api/tab/conversations/${encodeURIComponent(CHANNEL)}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
  }

  const stored = async () => (await t.app.store.conversations.listSubscriptions(CHANNEL)).map((s) => s.filters);

  function assertProblem(answer: Answer, status: number, detail: RegExp, code?: string): void {
    assert.equal(answer.status, status, JSON.stringify(answer.body));
    if (code !== undefined) assert.equal(answer.body.type, `urn:klink-teams:problem:${code}`);
    assert.equal(answer.headers.get('content-type')?.split(';')[0], PROBLEM_JSON);
    assert.equal(answer.body.status, status);
    assert.equal(typeof answer.body.type, 'string');
    assert.equal(typeof answer.body.title, 'string');
    assert.match(String(answer.body.detail), detail);
  }

  it('a member adds, lists and removes subscriptions, and @klink subscriptions shows each change (and the reverse)', async () => {
    const added = await call('POST', '/subscriptions', { body: { filters: 'whatsapp vip' } });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    const subscription = added.body.subscription as { id: number; description: string; command: string };
    assert.equal(subscription.description, WHATSAPP_VIP);
    assert.equal(subscription.command, 'whatsapp vip');

    assert.ok((await command('subscriptions')).some((text) => text.includes(WHATSAPP_VIP)));

    await command('subscribe telegram');
    const listed = await call('GET', '/subscriptions');
    assert.equal(listed.status, 200);
    const items = listed.body.subscriptions as Array<{ id: number; number: number; description: string }>;
    assert.deepEqual(
      items.map((s) => [s.number, s.description]),
      [
        [1, WHATSAPP_VIP],
        [2, 'Customer messages on Telegram.'],
      ],
    );

    const removed = await call('DELETE', `/subscriptions/${subscription.id}`);
    assert.equal(removed.status, 200, JSON.stringify(removed.body));
    const after = await command('subscriptions');
    assert.ok(!after.some((text) => text.includes(WHATSAPP_VIP)), after.join(' | '));
    assert.ok(after.some((text) => text.includes('Customer messages on Telegram.')));
  });

  it('the same filters twice: the existing subscription, not a second one', async () => {
    assert.equal((await call('POST', '/subscriptions', { body: { filters: 'whatsapp vip' } })).status, 201);
    const again = await call('POST', '/subscriptions', { body: { filters: 'VIP WhatsApp' } });
    assert.equal(again.status, 200);
    assert.equal(again.body.created, false);
    assert.equal((await stored()).length, 1);
  });

  it('invalid filters: 400 problem+json listing every problem, nothing stored', async () => {
    const answer = await call('POST', '/subscriptions', { body: { filters: 'whatsap vip tag:' } });
    assertProblem(answer, 400, /whatsap/);
    const problems = answer.body.problems as string[];
    assert.equal(problems.length, 2, problems.join(' | '));
    assert.match(problems[0], /"whatsap"/);
    assert.match(problems[1], /tag:/);
    assertProblem(await call('POST', '/subscriptions', { body: { filters: 42 } }), 400, /filters/);
    assertProblem(await call('POST', '/subscriptions', { body: { filters: '   ' } }), 400, /filters/);
    assert.deepEqual(await stored(), []);
  });

  it('removing a subscription that is not in this conversation: 404, nothing removed', async () => {
    await command('subscribe telegram');
    assertProblem(await call('DELETE', '/subscriptions/99999'), 404, /subscription/);
    assertProblem(await call('DELETE', '/subscriptions/abc'), 404, /subscription/);
    assert.equal((await stored()).length, 1);
  });

  const refusals: Array<[string, () => string | null, number, RegExp, string]> = [
    ['no token', () => null, 401, /sign in/i, 'missing'],
    ['not a JWT', () => 'not-a-token', 401, /sign in/i, 'invalid'],
    ['wrong audience', () => userToken({ audience: 'api://someone-else.example/botid-x' }), 401, /not for klink/i, 'audience'],
    ['wrong issuer', () => userToken({ issuer: 'https://evil.example/v2.0' }), 401, /not issued/i, 'issuer'],
    ['another tenant named in the issuer', () => userToken({ issuer: `${entra.url}/${FOREIGN}/v2.0` }), 401, /not issued/i, 'issuer'],
    ['in v1 form (sts.windows.net issuer)', () => userToken({ issuer: `https://sts.windows.net/${TENANT}/` }), 401, /v2/, 'v1-token'],
    ['expired', () => userToken({ expiresInSeconds: -600 }), 401, /expired/i, 'expired'],
    ['signed with a key Entra never published', () => userToken({ key: 'unpublished' }), 401, /sign in/i, 'invalid'],
    ['without the access_as_user scope', () => userToken({ scp: 'User.Read' }), 403, /access_as_user/, 'scope'],
    ['from a tenant without admin consent', () => userToken({ tenant: FOREIGN }), 403, /admin must grant consent/i, 'tenant-not-enabled'],
  ];
  for (const [what, token, status, detail, code] of refusals) {
    it(`a token ${what}: ${status} problem+json, nothing read or changed`, async () => {
      await command('subscribe telegram');
      const before = await stored();
      const lookups = connector.find({ route: 'getConversationMember' }).length;
      for (const [method, path, body] of [
        ['GET', '/subscriptions', undefined],
        ['POST', '/subscriptions', { filters: 'whatsapp vip' }],
        ['DELETE', '/subscriptions/1', undefined],
      ] as const) {
        const answer = await call(method, path, { token: token(), body });
        assertProblem(answer, status, detail, code);
        assert.equal(answer.body.subscriptions, undefined);
        if (status === 401) assert.match(answer.headers.get('www-authenticate') ?? '', /^Bearer\b/);
      }
      assert.deepEqual(await stored(), before);
      assert.equal(connector.find({ route: 'getConversationMember' }).length, lookups, 'no membership lookup for a refused token');
    });
  }

  it('a user who is not a member of the team: 403 with a clear message, nothing changed', async () => {
    await command('subscribe telegram');
    const stranger = userToken({ oid: STRANGER_OID });
    assertProblem(await call('GET', '/subscriptions', { token: stranger }), 403, /member/);
    assertProblem(await call('POST', '/subscriptions', { token: stranger, body: { filters: 'whatsapp' } }), 403, /member/);
    assertProblem(await call('DELETE', '/subscriptions/1', { token: stranger }), 403, /member/);
    assert.equal((await stored()).length, 1);
    // Asked of Teams with the bot's own token, by the team's id and the user's object id.
    const [lookup] = connector.find({ route: 'getConversationMember' });
    assert.equal(lookup.conversationId, TEAM);
    assert.equal(decodeURIComponent(lookup.path.split('/').pop() ?? ''), STRANGER_OID);
    assert.equal(lookup.headers.authorization, 'Bearer outbound-test-token');
  });

  it('membership is cached for a short time: two calls, one lookup; asked again once it is old', async () => {
    assert.equal((await call('GET', '/subscriptions')).status, 200);
    assert.equal((await call('POST', '/subscriptions', { body: { filters: 'whatsapp' } })).status, 201);
    assert.equal(connector.find({ route: 'getConversationMember' }).length, 1);
    clock.advance(10 * 60_000);
    assert.equal((await call('GET', '/subscriptions')).status, 200);
    assert.equal(connector.find({ route: 'getConversationMember' }).length, 2);
  });

  it('a conversation klink is not in: 403 problem+json, like a conversation of which the caller is not a member', async () => {
    const response = await fetch(`${t.url}/api/tab/conversations/${encodeURIComponent('19:unknown@thread.tacv2')}/subscriptions`, {
      headers: { authorization: `Bearer ${userToken()}` },
    });
    assert.equal(response.status, 403);
    assert.equal(response.headers.get('content-type')?.split(';')[0], PROBLEM_JSON);
    assert.match(((await response.json()) as { detail: string }).detail, /not a member .* or klink is not installed/);
  });

  it('a token whose audience is the client id (v2 tokens may carry it) is accepted like the Application ID URI', async () => {
    assert.equal((await call('GET', '/subscriptions', { token: userToken({ audience: TEST_BOT_ID }) })).status, 200);
  });

  it('a user of another allowed tenant cannot reach a conversation of this tenant: 403, Teams not even asked', async () => {
    const answer = await call('GET', '/subscriptions', { token: userToken({ tenant: ALLOWED }) });
    assertProblem(answer, 403, /not a member/, 'not-a-member');
    assert.equal(connector.find({ route: 'getConversationMember' }).length, 0);
  });

  it('Teams cannot say whether the user is a member: 503 problem+json, nothing changed, asked again next time', async () => {
    connector.respondWith({ match: { route: 'getConversationMember' }, ...connectorErrors.serverError(502) });
    assertProblem(await call('POST', '/subscriptions', { body: { filters: 'whatsapp' } }), 503, /try again/, 'membership-unavailable');
    assert.deepEqual(await stored(), []);
    assert.equal((await call('POST', '/subscriptions', { body: { filters: 'whatsapp' } })).status, 201);
    assert.equal(connector.find({ route: 'getConversationMember' }).length, 2);
  });

  it('Entra rotates its keys: a token signed with a newly published key is accepted once the keys are fetched again', async () => {
    assert.equal((await call('GET', '/subscriptions')).status, 200);
    const keyFetches = () => entra.requests.filter((r) => r.endpoint === 'keys').length;
    assert.equal(keyFetches(), 1);
    assert.equal((await call('GET', '/subscriptions')).status, 200);
    assert.equal(keyFetches(), 1, 'keys are cached');
    entra.publishNewKey();
    // jose fetches the keys again for an unknown key id at most every 30 s (its cooldown, on the
    // wall clock): the test moves Date past it rather than waiting.
    const wall = sandbox.useFakeTimers({ now: Date.now(), toFake: ['Date'] });
    wall.tick(31_000);
    assert.equal((await call('GET', '/subscriptions', { token: userToken({ key: 'unpublished' }) })).status, 200);
    assert.equal(keyFetches(), 2);
  });

  it("Entra's keys cannot be fetched: 503 problem+json (not 401: the token may be fine), nothing changed", async () => {
    const token = userToken();
    await entra.close();
    const answer = await call('POST', '/subscriptions', { token, body: { filters: 'whatsapp' } });
    assertProblem(answer, 503, /try again/, 'sign-in-unavailable');
    assert.deepEqual(await stored(), []);
  });
});

describe('tab API in local mode (no BOT_ID)', () => {
  let connector: FakeConnector;
  let t: TestApp;

  beforeEach(async () => {
    connector = await startFakeConnector();
    t = await startTestApp();
    const installed = installationUpdate({ serviceUrl: connector.url, channelId: CHANNEL }, 'add');
    assert.equal(await t.activity(installed), 200);
  });
  afterEach(async () => {
    await t.close();
    await connector.close();
  });

  it('a request without a token acts as the marked development identity, announced at start', async () => {
    const url = `${t.url}/api/tab/conversations/${encodeURIComponent(CHANNEL)}/subscriptions`;
    const added = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"filters":"whatsapp vip"}' });
    assert.equal(added.status, 201);
    const listed = (await (await fetch(url)).json()) as { subscriptions: Array<{ description: string }> };
    assert.deepEqual(
      listed.subscriptions.map((s) => s.description),
      [WHATSAPP_VIP],
    );
    const [subscription] = await t.app.store.conversations.listSubscriptions(CHANNEL);
    assert.equal(subscription.createdBy, 'local-development-user');
    assert.ok(
      t.logs.some((line) => line.includes('development identity') && line.includes('local-development-user')),
      'the start-up log names the development identity',
    );
    assert.equal(connector.find({ route: 'getConversationMember' }).length, 0);
  });

  it('GET /api/tab/me: the development identity, every channel klink is in, no deep link (no app id)', async () => {
    const me = (await (await fetch(`${t.url}/api/tab/me`)).json()) as {
      user: { id: string; development: boolean };
      conversations: Array<{ id: string; tabUrl: string | null }>;
    };
    assert.deepEqual(me.user, { id: 'local-development-user', tenantId: null, name: null, development: true });
    assert.deepEqual(
      me.conversations.map((c) => [c.id, c.tabUrl]),
      [[CHANNEL, null]],
    );
    assert.equal(connector.find({ route: 'getConversationMember' }).length, 0);
  });
});
