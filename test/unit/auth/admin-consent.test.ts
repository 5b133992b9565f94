import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  CONSENT_ROLE,
  CONSENT_SCOPE,
  type CallbackDeps,
  type ConfirmConsent,
  type ConsentSettings,
  STATE_TTL_MS,
  beginConsent,
  buildConsentUrl,
  cleanRequestedBy,
  consentScopes,
  consentSetup,
  createState,
  handleConsentCallback,
  parseTenantHint,
  readState,
} from '../../../src/auth/admin-consent';
import { BINDING_COOKIE, newBinding, readBindingCookie } from '../../../src/auth/consent-binding';
import { ConsentRateLimit } from '../../../src/auth/consent-rate-limit';
import { signToken } from '../../../src/auth/secret-box';
import { createLogger } from '../../../src/log';
import type { TenantConsent } from '../../../src/store/store';

const KEY = randomBytes(32);
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const NOW = Date.UTC(2025, 5, 1, 12, 0, 0);

const settings: ConsentSettings = {
  clientId: '11111111-2222-3333-4444-555555555555',
  redirectUri: 'https://klink-teams.example.com/admin/consent/callback',
  stateKey: KEY,
  authorityHost: 'https://login.microsoftonline.com',
};

describe('admin consent: the consent URL', () => {
  it('goes to the v2 adminconsent endpoint of "organizations" without a hint, with client id, scope, redirect URI and state', () => {
    const url = new URL(buildConsentUrl(settings, null, 'the-state'));
    assert.equal(url.origin, 'https://login.microsoftonline.com');
    assert.equal(url.pathname, '/organizations/v2.0/adminconsent');
    assert.deepEqual(Object.fromEntries(url.searchParams), {
      client_id: settings.clientId,
      scope: 'https://graph.microsoft.com/.default',
      redirect_uri: 'https://klink-teams.example.com/admin/consent/callback',
      state: 'the-state',
    });
  });

  it('puts a tenant id or domain hint in the path, and uses the injected authority host', () => {
    assert.equal(new URL(buildConsentUrl(settings, TENANT, 's')).pathname, `/${TENANT}/v2.0/adminconsent`);
    const other = new URL(buildConsentUrl({ ...settings, authorityHost: 'https://login.entra.test' }, 'contoso.onmicrosoft.com', 's'));
    assert.equal(other.host, 'login.entra.test');
    assert.equal(other.pathname, '/contoso.onmicrosoft.com/v2.0/adminconsent');
  });

  it('accepts GUIDs and domains as hints, lower-cased; never common, organizations or anything else', () => {
    assert.deepEqual(parseTenantHint(TENANT.toUpperCase()), { ok: true, tenant: TENANT });
    assert.deepEqual(parseTenantHint('Contoso.onmicrosoft.com'), { ok: true, tenant: 'contoso.onmicrosoft.com' });
    assert.deepEqual(parseTenantHint('fabrikam.co.uk'), { ok: true, tenant: 'fabrikam.co.uk' });
    assert.deepEqual(parseTenantHint(null), { ok: true, tenant: null });
    assert.deepEqual(parseTenantHint(''), { ok: true, tenant: null });
    for (const bad of [
      'common',
      'organizations',
      'consumers',
      '../common',
      'contoso.com/x',
      '<script>',
      'a b.com',
      '-bad.com',
      'x'.repeat(300) + '.com',
      'javascript:alert(1)',
    ]) {
      assert.deepEqual(parseTenantHint(bad), { ok: false }, bad);
    }
  });

  it('beginConsent gives a fresh state that carries the hint, the (cleaned) requester and the hash of a new browser cookie', () => {
    const query = new URLSearchParams({ tenant: TENANT, requestedBy: '  Ada\u0000 \n Lovelace ' });
    const first = beginConsent(query, settings, NOW);
    const second = beginConsent(query, settings, NOW);
    assert.equal(first.kind, 'start');
    assert.equal(second.kind, 'start');
    if (first.kind !== 'start' || second.kind !== 'start') return;
    const state = new URL(first.location).searchParams.get('state');
    assert.notEqual(state, new URL(second.location).searchParams.get('state'), 'each link gets its own nonce');
    assert.notEqual(first.cookie, second.cookie, 'and its own cookie');
    const read = readState(KEY, state, NOW);
    assert.ok(read.ok);
    assert.deepEqual(
      { ...read.state, nonce: typeof read.state.nonce, binding: typeof read.state.binding },
      {
        nonce: 'string',
        expiresAt: NOW + STATE_TTL_MS,
        tenantHint: TENANT,
        requestedBy: 'Ada Lovelace',
        binding: 'string',
      },
    );
    assert.ok(!first.cookie.includes(read.state.binding), 'the state carries a hash, never the cookie itself');
    assert.deepEqual(beginConsent(new URLSearchParams({ tenant: 'common' }), settings, NOW), { kind: 'bad_tenant_hint', hint: 'common' });
  });

  it('cleans requestedBy: no control characters, at most 80 characters, empty is none', () => {
    assert.equal(cleanRequestedBy('a\u202eb\tc'), 'a b c');
    assert.equal(cleanRequestedBy('x'.repeat(200))?.length, 80);
    assert.equal(cleanRequestedBy(' \n '), null);
    assert.equal(cleanRequestedBy(null), null);
  });
});

describe('admin consent: state', () => {
  const fresh = () => createState(KEY, { tenantHint: null, requestedBy: null, binding: 'b' }, NOW);

  it('is accepted until it expires ten minutes later', () => {
    assert.ok(readState(KEY, fresh(), NOW + STATE_TTL_MS - 1).ok);
    assert.deepEqual(readState(KEY, fresh(), NOW + STATE_TTL_MS), { ok: false, problem: 'expired' });
  });

  it('rejects a missing state', () => {
    assert.deepEqual(readState(KEY, null, NOW), { ok: false, problem: 'missing' });
    assert.deepEqual(readState(KEY, '', NOW), { ok: false, problem: 'missing' });
  });

  it('rejects a state signed with another key (forged)', () => {
    const forged = createState(randomBytes(32), { tenantHint: null, requestedBy: null, binding: 'b' }, NOW);
    assert.deepEqual(readState(KEY, forged, NOW), { ok: false, problem: 'invalid' });
  });

  it('rejects a tampered state: a later expiry with the old signature', () => {
    const [body, signature] = fresh().split('.');
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, unknown>;
    const longer = Buffer.from(JSON.stringify({ ...payload, exp: NOW + 365 * 86_400_000 })).toString('base64url');
    assert.deepEqual(readState(KEY, `${longer}.${signature}`, NOW + STATE_TTL_MS + 1), { ok: false, problem: 'invalid' });
    const flipped = `${signature.slice(0, -1)}${signature.endsWith('A') ? 'B' : 'A'}`;
    assert.deepEqual(readState(KEY, `${body}.${flipped}`, NOW), { ok: false, problem: 'invalid' });
  });

  it('rejects a token signed for another purpose with the same key', () => {
    const other = signToken(KEY, { n: 'x', exp: NOW + 1000, t: null }, 'klink-connection');
    assert.deepEqual(readState(KEY, other, NOW), { ok: false, problem: 'invalid' });
    assert.ok(readState(KEY, signToken(KEY, { n: 'x', exp: NOW + 1000, t: null, b: 'b' }, 'admin-consent'), NOW).ok);
  });

  it('rejects a correctly signed payload of the wrong shape, and oversized tokens', () => {
    for (const payload of [
      { n: 'x', exp: '9999999999999', t: null },
      { exp: NOW + 1000, t: null },
      { n: 'x', exp: NOW + 1000, t: 5 },
      [1],
    ]) {
      assert.deepEqual(
        readState(KEY, signToken(KEY, payload, 'admin-consent'), NOW),
        { ok: false, problem: 'invalid' },
        JSON.stringify(payload),
      );
    }
    assert.deepEqual(readState(KEY, 'a'.repeat(5000), NOW), { ok: false, problem: 'invalid' });
  });
});

describe('admin consent: the callback', () => {
  let recorded: TenantConsent[];
  let confirmed: string[];
  let answer: Awaited<ReturnType<ConfirmConsent>>;
  let deps: CallbackDeps;
  let used: Set<string>;
  /** The admin's browser: the cookie secret whose hash the states of stateFor carry. */
  let browser: { secret: string; hash: string };
  const logs: string[] = [];

  beforeEach(() => {
    recorded = [];
    confirmed = [];
    logs.length = 0;
    answer = { confirmed: true, tenantId: TENANT, roles: [CONSENT_ROLE] };
    used = new Set();
    browser = newBinding();
    deps = {
      settings,
      confirm: async (tenantId) => {
        confirmed.push(tenantId);
        return answer;
      },
      store: {
        recordConsent: async (consent) => void recorded.push(consent),
        useConsentState: async (nonce) => !used.has(nonce) && used.add(nonce).has(nonce),
      },
      now: () => NOW + 1000,
      log: createLogger('debug', { write: (line: string) => void logs.push(line) }),
      limit: new ConsentRateLimit(() => NOW + 1000),
    };
  });

  const stateFor = (requestedBy: string | null = null, tenantHint: string | null = null) =>
    createState(KEY, { tenantHint, requestedBy, binding: browser.hash }, NOW);
  const callback = (params: Record<string, string>, cookie: string | null = browser.secret) =>
    handleConsentCallback(new URLSearchParams(params), { binding: cookie, address: '192.0.2.1' }, deps);

  it('confirms and records the tenant: who (marked unverified), when and the scopes Entra reported', async () => {
    const state = stateFor('Ada');
    const outcome = await callback({
      admin_consent: 'True',
      tenant: TENANT.toUpperCase(),
      scope: 'https://graph.microsoft.com/.default',
      state,
    });
    assert.equal(outcome.kind, 'granted');
    assert.deepEqual(confirmed, [TENANT]);
    assert.deepEqual(recorded, [
      {
        tenantId: TENANT,
        grantedBy: 'requested by Ada (unverified, from the consent link)',
        scopes: ['https://graph.microsoft.com/.default'],
        grantedAt: NOW + 1000,
      },
    ]);
    assert.ok(logs.some((line) => line.includes('admin consent confirmed and recorded')));
    assert.ok(!logs.join('').includes(state.split('.')[1]), 'no state in the logs');
  });

  it('records no requester when the link named none, and the token roles when the callback has no scope', async () => {
    await callback({ admin_consent: 'True', tenant: TENANT, state: stateFor() });
    assert.deepEqual(
      recorded.map((c) => [c.grantedBy, c.scopes]),
      [[null, [CONSENT_ROLE]]],
    );
  });

  it("records nothing when the token lacks the app role only an admin grants (a user's consent), and offers a check again", async () => {
    answer = { confirmed: true, tenantId: TENANT, roles: ['Something.Else'] };
    const outcome = await callback({ admin_consent: 'True', tenant: TENANT, state: stateFor() });
    assert.equal(outcome.kind === 'not_confirmed' && outcome.failure, 'not_admin');
    assert.ok(outcome.kind === 'not_confirmed' && outcome.retry !== null);
    assert.deepEqual(recorded, []);
  });

  it('refuses a state from another browser, and a state used before; Entra is asked once', async () => {
    const state = stateFor();
    assert.deepEqual(await callback({ admin_consent: 'True', tenant: TENANT, state }, null), { kind: 'bad_state', problem: 'foreign' });
    assert.deepEqual(await callback({ admin_consent: 'True', tenant: TENANT, state }, newBinding().secret), {
      kind: 'bad_state',
      problem: 'foreign',
    });
    assert.equal((await callback({ admin_consent: 'True', tenant: TENANT, state })).kind, 'granted');
    assert.deepEqual(await callback({ admin_consent: 'True', tenant: TENANT, state }), { kind: 'bad_state', problem: 'replayed' });
    assert.deepEqual(await callback({ error: 'access_denied', state }), { kind: 'bad_state', problem: 'replayed' });
    assert.equal(confirmed.length, 1);
  });

  it('reads the binding cookie from a Cookie header', () => {
    const { secret } = newBinding();
    assert.equal(readBindingCookie(`a=1; ${BINDING_COOKIE}=${secret}; b=2`), secret);
    assert.equal(readBindingCookie(`${BINDING_COOKIE}=short`), null);
    assert.equal(readBindingCookie(undefined), null);
  });

  it('rejects a missing, forged or expired state before anything else: no confirmation, nothing recorded', async () => {
    const expired = createState(KEY, { tenantHint: null, requestedBy: null, binding: browser.hash }, NOW - STATE_TTL_MS);
    const forged = createState(randomBytes(32), { tenantHint: null, requestedBy: null, binding: 'b' }, NOW);
    assert.deepEqual(await callback({ admin_consent: 'True', tenant: TENANT }), { kind: 'bad_state', problem: 'missing' });
    assert.deepEqual(await callback({ admin_consent: 'True', tenant: TENANT, state: forged }), { kind: 'bad_state', problem: 'invalid' });
    assert.deepEqual(await callback({ admin_consent: 'True', tenant: TENANT, state: expired }), { kind: 'bad_state', problem: 'expired' });
    assert.deepEqual(await callback({ error: 'access_denied', error_description: 'injected text', state: forged }), {
      kind: 'bad_state',
      problem: 'invalid',
    });
    assert.deepEqual([confirmed, recorded], [[], []]);
  });

  it("passes Entra's error and description on without confirming anything", async () => {
    const outcome = await callback({
      error: 'access_denied',
      error_description: 'AADSTS65004: User declined to consent',
      state: stateFor(),
    });
    assert.deepEqual(outcome, { kind: 'entra_error', error: 'access_denied', description: 'AADSTS65004: User declined to consent' });
    assert.deepEqual(await callback({ error: 'x', error_description: ' ', state: stateFor() }), {
      kind: 'entra_error',
      error: 'x',
      description: null,
    });
    assert.deepEqual([confirmed, recorded], [[], []]);
  });

  it('rejects a callback without admin_consent=True and a tenant id', async () => {
    const cases: Array<Record<string, string>> = [
      { admin_consent: 'False', tenant: TENANT },
      { admin_consent: 'True', tenant: 'contoso.com' },
      { admin_consent: 'True' },
      {},
    ];
    for (const params of cases) {
      assert.deepEqual(await callback({ ...params, state: stateFor() }), { kind: 'bad_callback' }, JSON.stringify(params));
    }
    assert.deepEqual([confirmed, recorded], [[], []]);
  });

  it('records nothing when consent is not confirmed, and offers the same callback again with a new state and cookie when that may help', async () => {
    const state = stateFor();
    answer = { confirmed: false, failure: 'not_consented', code: 'AADSTS700016' };
    const outcome = await callback({ admin_consent: 'True', tenant: TENANT, state, scope: 'a b', extra: 'dropped' });
    assert.equal(outcome.kind, 'not_confirmed');
    if (outcome.kind !== 'not_confirmed') return;
    assert.equal(outcome.code, 'AADSTS700016');
    const retry = new URL(outcome.retry?.path ?? '', 'https://x');
    assert.equal(retry.pathname, '/admin/consent/callback');
    const { state: newState, ...rest } = Object.fromEntries(retry.searchParams);
    assert.deepEqual(rest, { admin_consent: 'True', tenant: TENANT, scope: 'a b' });
    assert.notEqual(newState, state, 'the used state cannot be replayed: a new one');
    const newSecret = readBindingCookie(outcome.retry?.cookie.split(';')[0]);
    assert.ok(newSecret);
    assert.deepEqual(recorded, []);

    answer = { confirmed: false, failure: 'credentials_rejected', code: 'AADSTS7000215' };
    const rejected = await callback({ admin_consent: 'True', tenant: TENANT, state: newState }, newSecret);
    assert.equal(rejected.kind === 'not_confirmed' && rejected.retry, null);
    assert.deepEqual(recorded, []);
  });

  it("records the tenant id of the callback when the link's hint was a domain", async () => {
    await callback({ admin_consent: 'True', tenant: TENANT, state: stateFor(null, 'contoso.onmicrosoft.com') });
    assert.equal(recorded[0].tenantId, TENANT);
  });
});

describe('admin consent: scopes and setup', () => {
  it('takes scopes from the callback, else from the token, else the requested .default', () => {
    assert.deepEqual(consentScopes('https://graph.microsoft.com/User.Read  https://graph.microsoft.com/User.Read', ['R']), [
      'https://graph.microsoft.com/User.Read',
    ]);
    assert.deepEqual(consentScopes('', ['Team.ReadBasic.All']), ['Team.ReadBasic.All']);
    assert.deepEqual(consentScopes(null, []), [CONSENT_SCOPE]);
    assert.deepEqual(consentScopes('bad\u0001 ' + 'x'.repeat(300), []), [CONSENT_SCOPE]);
  });

  const bot = { id: settings.clientId, password: 'pw', certificate: null, tenantId: TENANT, type: 'SingleTenant' as const };

  it('is ready with an app id, a credential, PUBLIC_URL and DATA_ENCRYPTION_KEY', () => {
    const setup = consentSetup({ localMode: false, bot, publicUrl: 'https://klink-teams.example.com', dataEncryptionKey: KEY });
    assert.ok(setup.ready);
    assert.deepEqual(setup.settings, settings);
    assert.deepEqual(setup.credential, { clientSecret: 'pw' });
    const withCertificate = consentSetup({
      localMode: false,
      bot: { ...bot, certificate: { thumbprint: 'AB', privateKey: 'k' } },
      publicUrl: 'https://x',
      dataEncryptionKey: KEY,
    });
    assert.ok(withCertificate.ready);
    assert.deepEqual(withCertificate.credential, { clientCertificate: { thumbprint: 'AB', privateKey: 'k' } });
  });

  it('says what to configure otherwise', () => {
    const local = consentSetup({ localMode: true, bot: { ...bot, id: null, password: null }, publicUrl: null, dataEncryptionKey: null });
    assert.equal(local.ready, false);
    assert.match(local.ready ? '' : local.problems.join('\n'), /BOT_ID[\s\S]*PUBLIC_URL[\s\S]*DATA_ENCRYPTION_KEY/);
    const msi = consentSetup({
      localMode: false,
      bot: { ...bot, password: null, type: 'UserAssignedMSI' },
      publicUrl: 'https://x',
      dataEncryptionKey: KEY,
    });
    assert.deepEqual(msi.ready ? [] : msi.problems.map((p) => p.split(':')[0]), ['no app credential']);
  });
});
