/**
 * The tab API's integration-test setup: the real app outside local mode on the given store, a
 * local Entra minting real RS256 user tokens, the fake Bot Connector (membership lookups, the
 * bot's replies) and the bot installed in a channel of TEAM where MEMBER_OID is a member. Entra's
 * outbound bot token is the one thing stubbed: it is requested from login.microsoftonline.com.
 */
import assert from 'node:assert/strict';
import sinon from 'sinon';
import { AppCredentials } from 'botframework-connector';
import { signBody } from '../../src/klink/verify';
import { type FakeConnector, startFakeConnector } from './fake-connector';
import { type FakeEntra, type UserTokenOptions, startFakeEntra } from './fake-entra';
import { type AuthenticatedApp, type FakeOpenId, TEST_BOT_ID, startAuthenticatedApp, startFakeOpenId } from './fake-openid';
import { BOT, TEAM, TENANT, USER, channelCommand, installationUpdate, personalCommand } from './teams-activities';
import { TestClock } from './test-app';
import type { StoreKind } from './test-database';
import { messageEvent } from './fixtures';
import { cardTexts } from './validate-card';
import { waitFor } from './wait';

export const TAB_CHANNEL = '19:tab-vip-desk@thread.tacv2';
export const MEMBER_OID = '0a1b2c3d-0000-4000-8000-00000000a001';
export const STRANGER_OID = '0a1b2c3d-0000-4000-8000-00000000b002';
export const APP_ID_URI = `api://klink-teams.test/botid-${TEST_BOT_ID}`;
export const PROBLEM_JSON = 'application/problem+json';

export interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

export interface TabHarness {
  t: AuthenticatedApp;
  connector: FakeConnector;
  entra: FakeEntra;
  clock: TestClock;
  /** POSTs an activity to /api/messages as Teams would (a Bot Framework token); the HTTP status. */
  sendActivity(activity: object): Promise<number>;
  /** `@klink <text>` in TAB_CHANNEL (or `text` in the member's personal chat); the texts of the bot's reply card. */
  command(text: string, where?: 'channel' | 'personal'): Promise<string[]>;
  userToken(overrides?: Partial<UserTokenOptions>): string;
  /** A tab API call; `path` is after /api/tab (`/me`, or conversationPath(…) + '/subscriptions'). */
  call(method: string, path: string, options?: { token?: string | null; body?: unknown }): Promise<Answer>;
  /** A signed klink webhook; the HTTP status. */
  webhook(body: object): Promise<number>;
}

/** `/conversations/<cid, URL-encoded>`. */
export function conversationPath(cid: string = TAB_CHANNEL): string {
  return `/conversations/${encodeURIComponent(cid)}`;
}

export const PERSONAL_CHAT = 'a:tab-personal-chat';

/** Sets the harness up before each test and tears it down after; returns a live view. */
export function useTabApi(kind: StoreKind): TabHarness {
  const h = {} as TabHarness;
  let openId: FakeOpenId;
  let sandbox: sinon.SinonSandbox;

  beforeEach(async () => {
    sandbox = sinon.createSandbox();
    sandbox.stub(AppCredentials.prototype, 'getToken').resolves('outbound-test-token');
    openId = await startFakeOpenId();
    h.entra = await startFakeEntra({ clientId: TEST_BOT_ID });
    h.connector = await startFakeConnector();
    h.clock = new TestClock();
    h.t = await startAuthenticatedApp(openId, {}, kind, { allowHttpServiceUrls: true, tabAuthorityHost: h.entra.url, now: h.clock.now });
    h.connector.setMembers(TEAM, [{ id: USER.id, name: USER.name, aadObjectId: MEMBER_OID }]);
    const installed = installationUpdate({ serviceUrl: h.connector.url, channelId: TAB_CHANNEL }, 'add');
    assert.equal(await h.sendActivity(installed), 200);
    await h.connector.waitForRequests((r) => r.route === 'replyToActivity' && r.urlActivityId === installed.id);
  });
  afterEach(async () => {
    sandbox.restore();
    await h.t.close();
    await h.connector.close();
    await h.entra.close();
    await openId.close();
  });

  h.sendActivity = async (activity) => {
    const token = openId.mintToken({ audience: TEST_BOT_ID, serviceUrl: h.connector.url });
    const response = await fetch(`${h.t.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ ...activity, recipient: { ...BOT, id: `28:${TEST_BOT_ID}` } }),
    });
    await response.arrayBuffer();
    return response.status;
  };
  h.command = async (text, where = 'channel') => {
    const activity =
      where === 'channel'
        ? channelCommand({ serviceUrl: h.connector.url, channelId: TAB_CHANNEL }, text)
        : personalCommand({ serviceUrl: h.connector.url }, text, PERSONAL_CHAT);
    const sent = { ...activity, from: { ...USER, aadObjectId: MEMBER_OID } };
    assert.equal(await h.sendActivity(sent), 200);
    const [reply] = await h.connector.waitForRequests(
      (r) => (r.route === 'replyToActivity' || r.route === 'sendToConversation') && r.urlActivityId === activity.id,
    );
    return cardTexts(reply.activity?.attachments?.[0]?.content);
  };
  h.userToken = (overrides = {}) => h.entra.mintUserToken({ tenant: TENANT, audience: APP_ID_URI, oid: MEMBER_OID, ...overrides });
  h.call = async (method, path, options = {}) => {
    const token = options.token === undefined ? h.userToken() : options.token;
    const headers: Record<string, string> = {};
    if (token !== null) headers.authorization = `Bearer ${token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${h.t.url}/api/tab${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
  };
  h.webhook = async (body) => {
    const raw = JSON.stringify(body);
    const response = await fetch(`${h.t.url}/api/klink/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-signature': signBody('test-signing-secret', raw) },
      body: raw,
    });
    await response.arrayBuffer();
    return response.status;
  };
  return h;
}

/** Asserts a problem+json answer with this status, detail and (optionally) code. */
export function assertProblem(answer: Answer, status: number, detail: RegExp, code?: string): void {
  assert.equal(answer.status, status, JSON.stringify(answer.body));
  if (code !== undefined) assert.equal(answer.body.type, `urn:klink-teams:problem:${code}`);
  assert.equal(answer.headers.get('content-type')?.split(';')[0], PROBLEM_JSON);
  assert.equal(answer.body.status, status);
  assert.match(String(answer.body.detail), detail);
}

/**
 * A dead delivery in `cid`: outside local mode delivery refuses the fake Bot Connector's plain-http
 * service URL (InsecureServiceUrl), which is dead-lettered at once.
 */
export async function deadDelivery(h: TabHarness, id: string, cid: string = TAB_CHANNEL): Promise<void> {
  const subscribed = await h.call('POST', `${conversationPath(cid)}/subscriptions`, { body: { filters: 'all' } });
  assert.ok(subscribed.status === 201 || subscribed.status === 200, JSON.stringify(subscribed.body));
  const before = (await h.t.app.store.deliveries.deliveryCounts(cid)).dead;
  assert.equal(await h.webhook(messageEvent({ id, roomId: `room-${id}`, text: 'secret customer text' })), 200);
  await waitFor(async () => (await h.t.app.store.deliveries.deliveryCounts(cid)).dead > before, {
    timeoutMs: 10_000,
    what: `the delivery of ${id} to be dead`,
  });
}
