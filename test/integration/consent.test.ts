/**
 * Admin consent end to end: the real restify routes, a real SQLite store, and @azure/msal-node
 * acquiring client-credentials tokens from a fake Entra authority on 127.0.0.1.
 *
 * MSAL only accepts https authorities, so the authority is `https://login.entra.test/<tenant>`
 * (never contacted): `knownAuthorities` skips instance discovery and `authorityMetadata` supplies
 * the endpoints, whose token endpoint is the fake's http URL. Everything from there on is MSAL's
 * own request to the token endpoint.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import path from 'node:path';
import restify from 'restify';
import { STATE_TTL_MS, readState } from '../../src/auth/admin-consent';
import { type Config, loadConfig } from '../../src/config';
import { registerConsentRoutes } from '../../src/http/consent-routes';
import { createLogger } from '../../src/log';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store';
import type { Store } from '../../src/store/store';
import { CONSENT_ROLE, type FakeEntra, GRAPH_DEFAULT, startFakeEntra } from '../support/fake-entra';
import { makeTempDir } from '../support/temp-dir';

const BOT_ID = '11111111-2222-4333-8444-555555555555';
const HOME = '99999999-8888-4777-8666-555555555555';
const CONTOSO = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const FABRIKAM = '0b5f3c1e-1111-4222-8333-944444444444';
const SECRET = 'bot-client-secret';
const KEY = randomBytes(32);
const PUBLIC_URL = 'https://klink-teams.example.com';
const AUTHORITY_HOST = 'https://login.entra.test';
const T0 = Date.UTC(2025, 5, 1, 12, 0, 0);

interface Harness {
  url: string;
  store: Store;
  entra: FakeEntra;
  logs: string[];
  clock: { now: number };
  /** The cookies of the admin's browser, as the responses set them. */
  cookies: Map<string, string>;
  /** A GET from the admin's browser: sends its cookies and keeps what the answer sets; `from` another client address. */
  get(
    pathAndQuery: string,
    options?: { cookies?: Map<string, string>; from?: string },
  ): Promise<{ status: number; location: string | null; html: string; headers: Headers }>;
  close(): Promise<void>;
}

async function start(
  env: Record<string, string> = {},
  entraOptions: { secret?: string; publicKey?: string } = { secret: SECRET },
): Promise<Harness> {
  const temp = makeTempDir();
  const config: Readonly<Config> = loadConfig({
    DATABASE_URL: `sqlite:${path.join(temp.dir, 'k.db')}`,
    BOT_ID,
    BOT_PASSWORD: SECRET,
    BOT_TENANT_ID: HOME,
    PUBLIC_URL,
    DATA_ENCRYPTION_KEY: KEY.toString('base64'),
    KLINK_WEBHOOK_SECRET: 'whsec',
    ...env,
  });
  const store = openSqliteStore(path.join(temp.dir, 'k.db'));
  const entra = await startFakeEntra({ clientId: BOT_ID, clientSecret: entraOptions.secret, certificatePublicKey: entraOptions.publicKey });
  const logs: string[] = [];
  const clock = { now: T0 };
  const server = restify.createServer({ handleUncaughtExceptions: false });
  registerConsentRoutes(server, {
    store: store.tenants,
    config,
    now: () => clock.now,
    log: createLogger('debug', { write: (line: string) => void logs.push(line) }),
    authorityHost: AUTHORITY_HOST,
    msalAuthority: { knownAuthorities: ['login.entra.test'], authorityMetadata: entra.authorityMetadata() },
  });
  await new Promise<void>((resolve) => {
    server.listen(0, '127.0.0.1', resolve);
  });
  const url = `http://127.0.0.1:${server.address().port}`;
  const cookies = new Map<string, string>();
  return {
    url,
    store,
    entra,
    logs,
    clock,
    cookies,
    async get(pathAndQuery, options = {}) {
      const jar = options.cookies ?? cookies;
      const headers: Record<string, string> = {};
      if (jar.size > 0) headers.cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
      if (options.from !== undefined) headers['x-forwarded-for'] = options.from;
      const response = await fetch(`${url}${pathAndQuery}`, { redirect: 'manual', headers });
      for (const line of response.headers.getSetCookie()) {
        const [pair, ...attributes] = line.split(';').map((part) => part.trim());
        const [name, value] = [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)];
        if (attributes.some((a) => /^max-age=0$/i.test(a))) jar.delete(name);
        else jar.set(name, value);
      }
      return {
        status: response.status,
        location: response.headers.get('location'),
        html: await response.text(),
        headers: response.headers,
      };
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
      });
      await entra.close();
      await store.close();
      temp.remove();
    },
  };
}

/** The link to Microsoft's admin consent page on the page /admin/consent shows. */
function entraLink(html: string): URL {
  const href = /<a href="(https:\/\/login\.entra\.test\/[^"]+)"/.exec(html)?.[1];
  assert.ok(href, `no link to Entra on the page: ${html}`);
  return new URL(href.replace(/&#38;/g, '&'));
}

/** Starts consent the way an admin does (in `h`'s browser unless `cookies` says otherwise) and returns the state Entra would hand back. */
async function consentState(h: Harness, query = '', cookies?: Map<string, string>): Promise<string> {
  const { status, html } = await h.get(`/admin/consent${query}`, { cookies });
  assert.equal(status, 200, html);
  const state = entraLink(html).searchParams.get('state');
  assert.ok(state);
  return state;
}

const callbackPath = (params: Record<string, string>) => `/admin/consent/callback?${new URLSearchParams(params).toString()}`;
const tokenRequests = (h: Harness) => h.entra.requests.filter((r) => r.endpoint === 'token');

describe('admin consent (routes, SQLite, MSAL against a fake Entra)', function () {
  this.timeout(30_000);
  let h: Harness;

  afterEach(async () => {
    await h.close();
  });

  describe('with a client secret', () => {
    beforeEach(async () => {
      h = await start();
    });

    it('shows what the admin grants, then links to the v2 admin-consent URL with client id, .default scope, the registered redirect URI and a signed state', async () => {
      const { status, html, headers } = await h.get('/admin/consent');
      assert.equal(status, 200);
      assert.equal(headers.get('cache-control'), 'no-store');
      assert.match(html, new RegExp(`<code>${CONSENT_ROLE.replace(/\./g, '\\.')}</code>`), 'names the app role the admin grants');
      assert.match(html, /application permission/);
      assert.match(html, /<code>User\.Read<\/code>/);
      const url = entraLink(html);
      assert.equal(`${url.origin}${url.pathname}`, `${AUTHORITY_HOST}/organizations/v2.0/adminconsent`);
      assert.deepEqual([...url.searchParams.keys()].sort(), ['client_id', 'redirect_uri', 'scope', 'state']);
      assert.equal(url.searchParams.get('client_id'), BOT_ID);
      assert.equal(url.searchParams.get('scope'), GRAPH_DEFAULT);
      assert.equal(url.searchParams.get('redirect_uri'), `${PUBLIC_URL}/admin/consent/callback`);
      const state = readState(KEY, url.searchParams.get('state'), T0);
      assert.ok(state.ok);
      assert.deepEqual([state.state.expiresAt, state.state.tenantHint, state.state.requestedBy], [T0 + STATE_TTL_MS, null, null]);

      const hinted = entraLink((await h.get(`/admin/consent?tenant=${CONTOSO}&requestedBy=Ada%20Lovelace`)).html);
      assert.equal(hinted.pathname, `/${CONTOSO}/v2.0/adminconsent`);
      const hintedState = readState(KEY, hinted.searchParams.get('state'), T0);
      assert.deepEqual(hintedState.ok && [hintedState.state.tenantHint, hintedState.state.requestedBy], [CONTOSO, 'Ada Lovelace']);
      assert.equal(
        entraLink((await h.get('/admin/consent?tenant=Contoso.onmicrosoft.com')).html).pathname,
        '/contoso.onmicrosoft.com/v2.0/adminconsent',
      );
    });

    it('binds the state to the browser with a cookie: HttpOnly, Secure, SameSite=Lax, scoped to the consent paths', async () => {
      const { headers } = await h.get('/admin/consent');
      const [cookie] = headers.getSetCookie();
      assert.ok(cookie, 'a cookie is set');
      const attributes = cookie
        .split(';')
        .slice(1)
        .map((a) => a.trim().toLowerCase());
      assert.ok(attributes.includes('httponly'), cookie);
      assert.ok(attributes.includes('secure'), cookie);
      assert.ok(attributes.includes('samesite=lax'), cookie);
      assert.ok(attributes.includes('path=/admin/consent'), cookie);
    });

    it('answers a tenant hint that is neither a GUID nor a domain with a 400 page, escaped', async () => {
      for (const hint of ['common', '<script>alert(1)</script>', 'a/b']) {
        const { status, html, headers } = await h.get(`/admin/consent?tenant=${encodeURIComponent(hint)}`);
        assert.equal(status, 400, hint);
        assert.match(headers.get('content-type') ?? '', /^text\/html/);
        assert.ok(!html.includes('<script>'), html);
      }
    });

    it('confirms consent with MSAL and records the tenant: who, when, scopes; then says what to do next', async () => {
      h.entra.adminConsent(CONTOSO);
      const state = await consentState(h, `?tenant=${CONTOSO}&requestedBy=Ada`);
      h.clock.now = T0 + 60_000;
      const { status, html } = await h.get(callbackPath({ admin_consent: 'True', tenant: CONTOSO, scope: GRAPH_DEFAULT, state }));
      assert.equal(status, 200, html);
      assert.match(html, /<h1>Admin consent granted<\/h1>/);
      assert.match(html, new RegExp(`tenant <code>${CONTOSO}</code>`));
      assert.match(html, /add the klink app/);
      assert.match(html, /<code>@klink subscribe whatsapp vip<\/code>/);

      assert.deepEqual(await h.store.tenants.getConsent(CONTOSO), {
        tenantId: CONTOSO,
        grantedBy: 'requested by Ada (unverified, from the consent link)',
        scopes: [GRAPH_DEFAULT],
        grantedAt: T0 + 60_000,
      });
      assert.deepEqual(
        h.entra.requests.map((r) => [r.method, r.tenant, r.endpoint]),
        [['POST', CONTOSO, 'token']],
        'no discovery, one token request',
      );
      const [request] = tokenRequests(h);
      assert.deepEqual(
        [request.form.grant_type, request.form.client_id, request.form.client_secret, request.form.scope],
        ['client_credentials', BOT_ID, SECRET, `${BOT_ID}/.default`],
      );
      const logText = h.logs.join('');
      assert.match(logText, /admin consent confirmed and recorded/);
      assert.ok(!logText.includes(SECRET) && !logText.includes(state), 'no secret or state in the logs');
    });

    it('records the app roles of the token when the callback reports no scope', async () => {
      h.entra.adminConsent(CONTOSO);
      const state = await consentState(h);
      assert.equal((await h.get(callbackPath({ admin_consent: 'True', tenant: CONTOSO, state }))).status, 200);
      assert.deepEqual((await h.store.tenants.getConsent(CONTOSO))?.scopes, [CONSENT_ROLE]);
      assert.equal((await h.store.tenants.getConsent(CONTOSO))?.grantedBy, null);
    });

    it('rejects a missing, forged or expired state with a 400 page; nothing stored, Entra not asked', async () => {
      h.entra.consented.add(CONTOSO);
      const forged = entraLink((await h.get('/admin/consent')).html).searchParams.get('state') ?? '';
      const [body] = forged.split('.');
      const cases: Array<[Record<string, string>, RegExp]> = [
        [{ admin_consent: 'True', tenant: CONTOSO }, /carries no state/],
        [{ admin_consent: 'True', tenant: CONTOSO, state: `${body}.${'A'.repeat(43)}` }, /did not issue/],
        [{ admin_consent: 'True', tenant: CONTOSO, state: 'not-a-state' }, /did not issue/],
      ];
      for (const [params, message] of cases) {
        const { status, html } = await h.get(callbackPath(params));
        assert.equal(status, 400, JSON.stringify(params));
        assert.match(html, message);
      }
      const state = await consentState(h);
      h.clock.now = T0 + STATE_TTL_MS;
      const expired = await h.get(callbackPath({ admin_consent: 'True', tenant: CONTOSO, state }));
      assert.equal(expired.status, 400);
      assert.match(expired.html, /expired/);
      assert.deepEqual(await h.store.tenants.listConsents(), []);
      assert.deepEqual(tokenRequests(h), []);
    });

    it("shows Entra's error and description, escaped; nothing stored", async () => {
      const state = await consentState(h);
      const declined = await h.get(
        callbackPath({
          error: 'access_denied',
          error_description: 'AADSTS65004: User declined <script>alert("x")</script>',
          state,
        }),
      );
      assert.equal(declined.status, 400);
      assert.match(declined.html, /<h1>Consent was declined<\/h1>/);
      assert.ok(declined.html.includes('AADSTS65004: User declined &#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;'), declined.html);
      assert.ok(!declined.html.includes('<script>'));
      assert.equal(declined.headers.get('content-security-policy'), "default-src 'none'; frame-ancestors 'none'");

      const other = await h.get(
        callbackPath({
          error: '<b>odd</b>',
          error_description: 'AADSTS50011: The redirect URI does not match',
          state: await consentState(h),
        }),
      );
      assert.equal(other.status, 400);
      assert.ok(other.html.includes('<code>&#60;b&#62;odd&#60;/b&#62;</code>'), other.html);
      assert.ok(
        other.html.includes(`<code>${PUBLIC_URL}/admin/consent/callback</code>`),
        'tells the operator which redirect URI to register',
      );
      assert.deepEqual(await h.store.tenants.listConsents(), []);
      assert.deepEqual(tokenRequests(h), []);
    });

    it('records nothing when MSAL gets no token (AADSTS700016), and records once Entra confirms on "check again"', async () => {
      const state = await consentState(h);
      const first = await h.get(callbackPath({ admin_consent: 'True', tenant: FABRIKAM, state }));
      assert.equal(first.status, 403);
      assert.match(first.html, /Consent could not be confirmed/);
      assert.match(first.html, /<code>AADSTS700016<\/code>/);
      assert.deepEqual(await h.store.tenants.listConsents(), []);
      assert.equal(tokenRequests(h).length, 1);

      // Entra replicates the new service principal; the admin checks again from the page.
      h.entra.adminConsent(FABRIKAM);
      const retry = /<a href="([^"]+)">Check again<\/a>/.exec(first.html)?.[1].replace(/&#38;/g, '&');
      assert.ok(retry);
      const again = await h.get(retry);
      assert.equal(again.status, 200, again.html);
      assert.equal((await h.store.tenants.getConsent(FABRIKAM))?.tenantId, FABRIKAM);
    });

    it('records nothing when the token is for another tenant than the callback names', async () => {
      h.entra.adminConsent(CONTOSO);
      h.entra.tidOverride.set(CONTOSO, FABRIKAM);
      const state = await consentState(h);
      const { status, html } = await h.get(callbackPath({ admin_consent: 'True', tenant: CONTOSO, state }));
      assert.equal(status, 403);
      assert.match(html, /token for a different tenant/);
      assert.deepEqual(await h.store.tenants.listConsents(), []);
    });

    it('rejects a callback that is not admin_consent=True with a tenant id', async () => {
      h.entra.consented.add(CONTOSO);
      const state = await consentState(h);
      for (const params of [
        { admin_consent: 'False', tenant: CONTOSO },
        { admin_consent: 'True', tenant: 'contoso.com' },
      ]) {
        assert.equal((await h.get(callbackPath({ ...params, state }))).status, 400);
      }
      assert.deepEqual([await h.store.tenants.listConsents(), tokenRequests(h)], [[], []]);
    });
  });

  describe('proof of an admin, single use, one browser, bounded', () => {
    beforeEach(async () => {
      h = await start();
    });

    it("refuses a tenant where the app exists but no admin granted its app role (a user's consent); nothing recorded", async () => {
      h.entra.consented.add(CONTOSO);
      const state = await consentState(h);
      const { status, html } = await h.get(callbackPath({ admin_consent: 'True', tenant: CONTOSO, state }));
      assert.equal(status, 403, html);
      assert.match(html, /not granted by an administrator/);
      assert.match(html, new RegExp(CONSENT_ROLE.replace(/\./g, '\\.')));
      assert.deepEqual(await h.store.tenants.listConsents(), []);
    });

    it('accepts a state once: the same answer again is refused, and Entra is asked only once', async () => {
      h.entra.adminConsent(CONTOSO);
      const state = await consentState(h);
      const replayCookies = new Map(h.cookies);
      assert.equal((await h.get(callbackPath({ admin_consent: 'True', tenant: CONTOSO, state }))).status, 200);
      await h.store.tenants.revokeTenant(CONTOSO, 'test', T0);
      const replay = await h.get(callbackPath({ admin_consent: 'True', tenant: CONTOSO, state }), { cookies: replayCookies });
      assert.equal(replay.status, 400, replay.html);
      assert.match(replay.html, /already been used/);
      assert.equal(await h.store.tenants.getConsent(CONTOSO), null);
      assert.equal(tokenRequests(h).length, 1);
    });

    it('clears the cookie at the callback', async () => {
      h.entra.adminConsent(CONTOSO);
      const state = await consentState(h);
      assert.equal(h.cookies.size, 1);
      const { headers } = await h.get(callbackPath({ admin_consent: 'True', tenant: CONTOSO, state }));
      assert.match(headers.getSetCookie().join('\n'), /max-age=0/i);
      assert.equal(h.cookies.size, 0);
    });

    it("refuses a state started in another browser (no cookie, or that browser's own); nothing recorded, Entra not asked", async () => {
      h.entra.adminConsent(CONTOSO);
      const victimState = await consentState(h, '', new Map());
      await consentState(h);
      for (const cookies of [new Map<string, string>(), h.cookies]) {
        const { status, html } = await h.get(callbackPath({ admin_consent: 'True', tenant: CONTOSO, state: victimState }), { cookies });
        assert.equal(status, 400, html);
        assert.match(html, /another browser/);
      }
      assert.deepEqual([await h.store.tenants.listConsents(), tokenRequests(h)], [[], []]);
    });

    it('limits checks with Entra per client and overall; a limited answer keeps the state usable', async () => {
      // Tenants nobody consented in: every check asks Entra and fails, so each can be retried.
      const attempt = async (from: string) => {
        const cookies = new Map<string, string>();
        const state = await consentState(h, '', cookies);
        return h.get(callbackPath({ admin_consent: 'True', tenant: FABRIKAM, state }), { cookies, from });
      };
      const perClient: number[] = [];
      for (let i = 0; i < 12; i++) perClient.push((await attempt('203.0.113.7')).status);
      assert.deepEqual(perClient.filter((s) => s === 429).length, 2, `statuses ${perClient.join(',')}`);
      const asked = tokenRequests(h).length;
      assert.equal(asked, 10);
      const overall: number[] = [];
      for (let i = 0; i < 60; i++) overall.push((await attempt(`198.51.100.${i}`)).status);
      assert.ok(overall.includes(429), 'other clients are limited once the overall limit is reached');
      assert.ok(tokenRequests(h).length <= 50, `${tokenRequests(h).length} token requests`);

      // Later (the window passed), the same limited answer is accepted: it was not used up.
      h.entra.adminConsent(CONTOSO);
      const cookies = new Map<string, string>();
      const state = await consentState(h, '', cookies);
      assert.equal(
        (await h.get(callbackPath({ admin_consent: 'True', tenant: CONTOSO, state }), { cookies, from: '203.0.113.7' })).status,
        429,
      );
      h.clock.now += 5 * 60_000;
      assert.equal(
        (await h.get(callbackPath({ admin_consent: 'True', tenant: CONTOSO, state }), { cookies, from: '203.0.113.7' })).status,
        200,
      );
    });
  });

  it("says the operator's credential was refused when Entra rejects the secret; nothing stored", async () => {
    h = await start({}, { secret: 'the-secret-entra-knows' });
    h.entra.adminConsent(CONTOSO);
    const state = await consentState(h);
    const { status, html } = await h.get(callbackPath({ admin_consent: 'True', tenant: CONTOSO, state }));
    assert.equal(status, 502);
    assert.match(html, /credentials were refused/);
    assert.match(html, /AADSTS7000215/);
    assert.ok(!html.includes('Check again'));
    assert.deepEqual(await h.store.tenants.listConsents(), []);
  });

  it('confirms with a certificate: MSAL signs a client assertion the fake authority verifies', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    h = await start(
      { BOT_PASSWORD: '', BOT_CERTIFICATE_THUMBPRINT: 'a'.repeat(40), BOT_CERTIFICATE_PRIVATE_KEY: privateKey },
      { publicKey },
    );
    h.entra.adminConsent(CONTOSO);
    const state = await consentState(h);
    const { status, html } = await h.get(callbackPath({ admin_consent: 'True', tenant: CONTOSO, state }));
    assert.equal(status, 200, html);
    const [request] = tokenRequests(h);
    assert.equal(request.form.client_secret, undefined);
    assert.equal(request.form.client_assertion_type, 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    assert.equal((await h.store.tenants.getConsent(CONTOSO))?.tenantId, CONTOSO);
  });

  it('answers 503 on both routes in local mode, saying what to configure', async () => {
    h = await start({ BOT_ID: '', BOT_PASSWORD: '', BOT_TENANT_ID: '', PUBLIC_URL: '', DATA_ENCRYPTION_KEY: '', KLINK_WEBHOOK_SECRET: '' });
    for (const route of ['/admin/consent', callbackPath({ admin_consent: 'True', tenant: CONTOSO, state: 'x' })]) {
      const { status, html } = await h.get(route);
      assert.equal(status, 503, route);
      assert.match(html, /BOT_ID is not set/);
      assert.match(html, /PUBLIC_URL is not set/);
      assert.match(html, /DATA_ENCRYPTION_KEY is not set/);
    }
    assert.deepEqual(await h.store.tenants.listConsents(), []);
  });
});
