/**
 * Authenticated /api/messages: the real app with BOT_ID set (not local mode), botbuilder's own
 * channel validation pointed at a local fake of login.botframework.com, a real SQLite file.
 * Every forged or wrong token gets 401 and changes nothing; a correctly signed one is accepted.
 */
import assert from 'node:assert/strict';
import sinon from 'sinon';
import { signBody } from '../../src/klink/verify';
import {
  type FakeOpenId,
  type MintOptions,
  TEST_BOT_ID,
  type AuthenticatedApp,
  startAuthenticatedApp,
  startFakeOpenId,
} from '../support/fake-openid';
import { sample } from '../support/fixtures';
import { membersUpdate } from '../support/teams-activities';

const SERVICE_URL = 'https://smba.trafficmanager.net/emea/';
const OTHER_APP_ID = '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0';

let channelSeq = 0;

/** The bot added to a channel of its own (so cases cannot see each other's records). */
function botAdded(serviceUrl = SERVICE_URL) {
  channelSeq += 1;
  const activity = membersUpdate({ serviceUrl, channelId: `19:auth-case-${channelSeq}@thread.tacv2` }, 'membersAdded');
  return { activity, conversationId: activity.channelData.channel.id };
}

describe('POST /api/messages with Bot Framework authentication (BOT_ID set)', () => {
  let fake: FakeOpenId;
  let t: AuthenticatedApp;
  let sandbox: sinon.SinonSandbox;
  /** botbuilder reports every rejected request with console.error; captured, not printed, and checked. */
  let consoleError: sinon.SinonStub;
  /** What botbuilder writes when it refuses a token; anything else on console.error is a failure. */
  const TOKEN_REFUSAL =
    /Unauthori[sz]ed|Signing Key could not be retrieved|Error finding key for token|Could not validate endorsement|jwt expired|token has expired/;
  const captured = (): string[] =>
    consoleError.args.map((args) => args.map((a) => (a instanceof Error ? `${a.name}: ${a.message}` : String(a))).join(' '));

  before(async () => {
    fake = await startFakeOpenId();
    t = await startAuthenticatedApp(fake);
  });
  after(async () => {
    await t?.close();
    await fake?.close();
  });
  beforeEach(() => {
    sandbox = sinon.createSandbox();
    consoleError = sandbox.stub(console, 'error');
  });
  afterEach(() => {
    sandbox.restore();
  });

  async function post(activity: object, authorization?: string): Promise<{ status: number; body: string }> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (authorization !== undefined) headers.authorization = authorization;
    const response = await fetch(`${t.url}/api/messages`, { method: 'POST', headers, body: JSON.stringify(activity) });
    return { status: response.status, body: await response.text() };
  }

  function token(overrides: Partial<MintOptions> = {}): string {
    return fake.mintToken({ audience: TEST_BOT_ID, serviceUrl: SERVICE_URL, ...overrides });
  }

  /** Posts with `authorization` and proves the request was refused with 401 and nothing was stored. */
  async function assertRejected(authorization: string | undefined, serviceUrl = SERVICE_URL): Promise<void> {
    const before = await t.app.store.rowCounts();
    const { activity, conversationId } = botAdded(serviceUrl);
    const { status, body } = await post(activity, authorization);
    // Nothing stored is checked first: it is the property that matters most.
    assert.equal(
      await t.app.store.conversations.getConversation(conversationId),
      null,
      `the conversation must not be recorded (status ${status})`,
    );
    assert.deepEqual(await t.app.store.rowCounts(), before, 'no table may change');
    assert.equal(status, 401, `expected 401, got ${status}: ${body}`);
    assert.deepEqual(
      captured().filter((line) => !TOKEN_REFUSAL.test(line)),
      [],
      'console.error carried only token refusals',
    );
  }

  it('accepts a correctly signed token: 200, and the conversation is recorded', async () => {
    const { activity, conversationId } = botAdded();
    const { status, body } = await post(activity, `Bearer ${token()}`);
    assert.equal(status, 200, `expected 200, got ${status}: ${body}; botbuilder said: ${captured().join(' | ')}`);
    assert.deepEqual(captured(), [], 'nothing on console.error for an accepted request');
    const stored = await t.app.store.conversations.getConversation(conversationId);
    assert.ok(stored, 'the conversation is recorded');
    assert.equal(stored.serviceUrl, SERVICE_URL);
    assert.equal(stored.active, true);
    // The keys really came from the fake, through botbuilder's own OpenID metadata handling.
    assert.ok(
      fake.requests.some((r) => r.startsWith('/v1/.well-known/openidconfiguration?instance=')),
      'metadata fetched from the fake',
    );
    assert.ok(fake.requests.includes('/v1/.well-known/keys'), 'keys fetched from the fake');
  });

  it('rejects a request without an Authorization header', async () => {
    await assertRejected(undefined);
  });

  it('rejects malformed tokens, another scheme, and a token without "Bearer "', async () => {
    const wellFormed = token();
    for (const header of ['Bearer abc', 'Bearer', 'Bearer a.b.c', `Basic ${Buffer.from('user:pass').toString('base64')}`, wellFormed]) {
      await assertRejected(header);
    }
  });

  it('rejects a token signed by a key that is not in the JWKS', async () => {
    await assertRejected(`Bearer ${token({ key: 'unknown' })}`);
  });

  it('rejects a token signed by an unknown key that claims the kid of a trusted key', async () => {
    await assertRejected(`Bearer ${token({ key: 'unknown', kid: fake.kids.trusted })}`);
  });

  it('rejects an unsigned token (alg none)', async () => {
    await assertRejected(`Bearer ${token({ algorithm: 'none', kid: fake.kids.trusted })}`);
  });

  it('rejects a token signed HS256 with the trusted public key as secret (algorithm confusion)', async () => {
    await assertRejected(`Bearer ${token({ algorithm: 'HS256', kid: fake.kids.trusted })}`);
  });

  it('rejects a token whose key is not endorsed for msteams', async () => {
    await assertRejected(`Bearer ${token({ key: 'otherChannel' })}`);
  });

  it('rejects a token for another app id (wrong audience)', async () => {
    await assertRejected(`Bearer ${token({ audience: OTHER_APP_ID })}`);
  });

  it('rejects a token that expired more than the 5-minute clock skew ago', async () => {
    await assertRejected(`Bearer ${token({ notBefore: -3600, expiresInSeconds: -6 * 60 })}`);
  });

  it('still accepts a token expired by less than the 5-minute clock skew', async () => {
    const { activity, conversationId } = botAdded();
    const { status, body } = await post(activity, `Bearer ${token({ notBefore: -3600, expiresInSeconds: -2 * 60 })}`);
    assert.equal(status, 200, `expected 200, got ${status}: ${body}`);
    assert.ok(await t.app.store.conversations.getConversation(conversationId));
    assert.deepEqual(captured(), [], 'nothing on console.error for an accepted request');
  });

  it('rejects a token that is not valid yet (beyond the clock skew)', async () => {
    await assertRejected(`Bearer ${token({ notBefore: 10 * 60 })}`);
  });

  it('rejects a token from another issuer', async () => {
    await assertRejected(`Bearer ${token({ issuer: 'https://api.botframework.example' })}`);
  });

  it('rejects a token whose serviceurl claim differs from the activity, or is missing', async () => {
    await assertRejected(`Bearer ${token({ serviceUrl: 'https://attacker.example/teams/' })}`);
    await assertRejected(`Bearer ${token({ serviceUrl: undefined })}`);
  });

  it('leaves the klink webhook to its own authentication', async () => {
    const raw = JSON.stringify(sample('message.inbound'));
    const postWebhook = (headers: Record<string, string>) =>
      fetch(`${t.url}/api/klink/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: raw,
      });
    // A Bot Framework token is no credential for the webhook…
    assert.equal((await postWebhook({ authorization: `Bearer ${token()}` })).status, 401);
    // …and the webhook's signature works without one.
    const signed = await postWebhook({ 'x-signature': signBody('test-signing-secret', raw) });
    assert.equal(signed.status, 200, await signed.text());
    assert.deepEqual(captured(), [], 'the webhook writes nothing to console.error');
  });
});
