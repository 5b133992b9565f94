/**
 * Admin consent as a tenant's opt-in: the v2 admin-consent URL with a signed, expiring, single-use
 * `state` bound to the admin's browser, and the callback's decision. No HTTP and no MSAL here:
 * confirming consent is an injected function (src/auth/msal-consent-check.ts), recording it goes
 * to the store.
 *
 * What proves an admin: the app registration defines an app role (an application permission,
 * allowedMemberTypes Application) and requests it of itself. Only an admin can grant an application
 * permission; a user's consent (to User.Read) creates the app's service principal but grants no app
 * role. The callback asks Entra for a client-credentials token for the app itself
 * (`<client id>/.default`): its `roles` claim lists the app roles granted in that tenant, and
 * CONSENT_ROLE must be among them.
 */
import { randomBytes } from 'node:crypto';
import type { Config } from '../config';
import type { Logger } from '../log';
import type { TenantConsent, TenantStore } from '../store/store';
import { bindingCookie, bindingMatches, newBinding } from './consent-binding';
import type { ConsentRateLimit } from './consent-rate-limit';
import { signToken, verifyToken } from './secret-box';

/**
 * Consented as `.default`: Entra's admin consent page lists every permission the app registration
 * requests (Graph User.Read, and the app's own CONSENT_ROLE) and grants them together.
 */
export const CONSENT_SCOPE = 'https://graph.microsoft.com/.default';
/** The app role (application permission) only an admin can grant: docs/deploy.md, infra/modules/entra-app.bicep. */
export const CONSENT_ROLE = 'KlinkTeams.Tenant.Enable';

/** The token that carries the app's own roles: a client-credentials token for the app itself. */
export function consentTokenScope(clientId: string): string {
  return `${clientId}/.default`;
}
export const DEFAULT_AUTHORITY_HOST = 'https://login.microsoftonline.com';
export const CONSENT_PATH = '/admin/consent';
export const CALLBACK_PATH = '/admin/consent/callback';
export const STATE_PURPOSE = 'admin-consent';
export const STATE_TTL_MS = 10 * 60_000;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A verified domain such as contoso.onmicrosoft.com or contoso.com. */
const DOMAIN = /^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
const MAX_STATE_LENGTH = 2048;
const MAX_REQUESTED_BY = 80;

/** What the consent routes need from the configuration, once it is complete. */
export interface ConsentSettings {
  clientId: string;
  /** `<PUBLIC_URL>/admin/consent/callback`: must be registered on the Entra app exactly. */
  redirectUri: string;
  /** Key for signing `state` (DATA_ENCRYPTION_KEY). */
  stateKey: Buffer;
  authorityHost: string;
}

export type ConsentCredential = { clientSecret: string } | { clientCertificate: { thumbprint: string; privateKey: string } };

export type ConsentSetup = { ready: true; settings: ConsentSettings; credential: ConsentCredential } | { ready: false; problems: string[] };

/** Whether admin consent can work with this configuration, and if not, what to set. */
export function consentSetup(
  config: Pick<Config, 'localMode' | 'bot' | 'publicUrl' | 'dataEncryptionKey'>,
  authorityHost: string = DEFAULT_AUTHORITY_HOST,
): ConsentSetup {
  const { publicUrl, dataEncryptionKey: stateKey } = config;
  const clientId = config.localMode ? null : config.bot.id;
  const credential = consentCredential(config.bot);
  const problems: string[] = [];
  if (clientId === null) {
    problems.push("BOT_ID is not set (local mode): set it to the Entra app (client) id of the bot's multi-tenant app registration");
  }
  if (publicUrl === null) {
    problems.push(
      "PUBLIC_URL is not set: set the bot's public https base URL; Entra redirects admins back to <PUBLIC_URL>/admin/consent/callback",
    );
  }
  if (stateKey === null) {
    problems.push(
      "DATA_ENCRYPTION_KEY is not set: the consent link's state is signed with it; generate one with `openssl rand -base64 32`",
    );
  }
  if (credential === null && clientId !== null) {
    problems.push(
      "no app credential: confirming consent needs the Entra app's client secret (BOT_PASSWORD) or certificate (BOT_CERTIFICATE_THUMBPRINT and BOT_CERTIFICATE_PRIVATE_KEY); a managed identity cannot get tokens in other tenants",
    );
  }
  if (clientId === null || publicUrl === null || stateKey === null || credential === null) return { ready: false, problems };
  return {
    ready: true,
    credential,
    settings: { clientId, redirectUri: `${publicUrl}${CALLBACK_PATH}`, stateKey, authorityHost: authorityHost.replace(/\/+$/, '') },
  };
}

function consentCredential(bot: Config['bot']): ConsentCredential | null {
  if (bot.certificate !== null) return { clientCertificate: { ...bot.certificate } };
  if (bot.password !== null) return { clientSecret: bot.password };
  return null;
}

/** What the signed `state` carries between the consent link and the callback. */
export interface ConsentState {
  nonce: string;
  expiresAt: number;
  /** The tenant hint of the link (GUID or domain), or null for `organizations`. */
  tenantHint: string | null;
  /** Display name from the link (the bot's card adds it): untrusted text, never proof of who consented. */
  requestedBy: string | null;
  /** Hash of the browser's binding cookie (src/auth/consent-binding.ts). */
  binding: string;
}

/** A tenant hint as Entra accepts it in the URL path: a GUID or a domain; never `common`. */
export function parseTenantHint(raw: string | null): { ok: true; tenant: string | null } | { ok: false } {
  if (raw === null || raw.trim() === '') return { ok: true, tenant: null };
  const value = raw.trim().toLowerCase();
  return GUID.test(value) || DOMAIN.test(value) ? { ok: true, tenant: value } : { ok: false };
}

/** Untrusted display text: control characters removed, whitespace collapsed, at most 80 characters. */
export function cleanRequestedBy(raw: string | null): string | null {
  if (raw === null) return null;
  const text = raw
    .replace(/[\p{Cc}\p{Cf}]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (text === '') return null;
  return [...text].slice(0, MAX_REQUESTED_BY).join('');
}

/** Signs a new state valid for STATE_TTL_MS, bound to the browser whose cookie hashes to `binding`. */
export function createState(
  key: Buffer,
  input: { tenantHint: string | null; requestedBy: string | null; binding: string },
  now: number,
): string {
  const payload: StatePayload = {
    n: randomBytes(16).toString('base64url'),
    exp: now + STATE_TTL_MS,
    t: input.tenantHint,
    b: input.binding,
  };
  if (input.requestedBy !== null) payload.rb = input.requestedBy;
  return signToken(key, payload, STATE_PURPOSE);
}

/** `foreign`: started in another browser (or its cookie is gone); `replayed`: this state was already used. */
export type StateProblem = 'missing' | 'invalid' | 'expired' | 'foreign' | 'replayed';

/** Verifies the signature first, then the shape, then the expiry. */
export function readState(
  key: Buffer,
  token: string | null,
  now: number,
): { ok: true; state: ConsentState } | { ok: false; problem: StateProblem } {
  if (token === null || token === '') return { ok: false, problem: 'missing' };
  if (token.length > MAX_STATE_LENGTH) return { ok: false, problem: 'invalid' };
  const payload = verifyToken(key, token, STATE_PURPOSE);
  if (!isStatePayload(payload)) return { ok: false, problem: 'invalid' };
  if (payload.exp <= now) return { ok: false, problem: 'expired' };
  return {
    ok: true,
    state: { nonce: payload.n, expiresAt: payload.exp, tenantHint: payload.t, requestedBy: payload.rb ?? null, binding: payload.b },
  };
}

interface StatePayload {
  n: string;
  exp: number;
  t: string | null;
  b: string;
  rb?: string;
}

function isStatePayload(value: unknown): value is StatePayload {
  if (typeof value !== 'object' || value === null) return false;
  const p = value as Record<string, unknown>;
  return (
    typeof p.n === 'string' &&
    p.n !== '' &&
    typeof p.exp === 'number' &&
    Number.isFinite(p.exp) &&
    typeof p.b === 'string' &&
    (p.t === null || typeof p.t === 'string') &&
    (p.rb === undefined || typeof p.rb === 'string')
  );
}

/** `<host>/<tenant or organizations>/v2.0/adminconsent?client_id&scope&redirect_uri&state`. */
export function buildConsentUrl(settings: ConsentSettings, tenantHint: string | null, state: string): string {
  const url = new URL(`${settings.authorityHost}/${encodeURIComponent(tenantHint ?? 'organizations')}/v2.0/adminconsent`);
  url.searchParams.set('client_id', settings.clientId);
  url.searchParams.set('scope', CONSENT_SCOPE);
  url.searchParams.set('redirect_uri', settings.redirectUri);
  url.searchParams.set('state', state);
  return url.toString();
}

export type BeginOutcome = { kind: 'start'; location: string; cookie: string } | { kind: 'bad_tenant_hint'; hint: string };

/** `GET /admin/consent`: the Entra URL to send the admin to, and the cookie that binds its state to this browser. */
export function beginConsent(query: URLSearchParams, settings: ConsentSettings, now: number): BeginOutcome {
  const hint = parseTenantHint(query.get('tenant'));
  if (!hint.ok) return { kind: 'bad_tenant_hint', hint: query.get('tenant') ?? '' };
  const started = startState(settings, { tenantHint: hint.tenant, requestedBy: cleanRequestedBy(query.get('requestedBy')) }, now);
  return { kind: 'start', location: buildConsentUrl(settings, hint.tenant, started.state), cookie: started.cookie };
}

/** A new state and the cookie that binds it to the browser it is handed to. */
function startState(
  settings: ConsentSettings,
  input: { tenantHint: string | null; requestedBy: string | null },
  now: number,
): { state: string; cookie: string } {
  const binding = newBinding();
  return {
    state: createState(settings.stateKey, { ...input, binding: binding.hash }, now),
    cookie: bindingCookie(binding.secret, STATE_TTL_MS),
  };
}

/** Why a tenant's consent could not be confirmed. */
export type ConsentCheckFailure =
  /** Entra would not issue a token for the app in that tenant (no consent, or not yet replicated). */
  | 'not_consented'
  /** Entra refused the app's own credential: an operator problem, not the tenant's. */
  | 'credentials_rejected'
  /** The token was for another tenant than the callback named. */
  | 'tenant_mismatch'
  /** The app exists in the tenant but without CONSENT_ROLE: no admin granted it (a user's consent, or not yet replicated). */
  | 'not_admin'
  /** Entra could not be reached or answered with a server error. */
  | 'unavailable';

export type ConsentCheck =
  { confirmed: true; tenantId: string; roles: string[] } | { confirmed: false; failure: ConsentCheckFailure; code: string | null };

/** Confirms that `tenantId` (a GUID) consented, e.g. by getting a client-credentials token there. */
export type ConfirmConsent = (tenantId: string) => Promise<ConsentCheck>;

export type CallbackOutcome =
  | { kind: 'bad_state'; problem: StateProblem }
  | { kind: 'bad_callback' }
  | { kind: 'entra_error'; error: string; description: string | null }
  | { kind: 'rate_limited'; retryAfterMs: number }
  | {
      kind: 'not_confirmed';
      tenantId: string;
      failure: ConsentCheckFailure;
      code: string | null;
      retry: { path: string; cookie: string } | null;
    }
  | { kind: 'granted'; consent: TenantConsent; tenantHint: string | null };

export interface CallbackDeps {
  settings: ConsentSettings;
  confirm: ConfirmConsent;
  store: Pick<TenantStore, 'recordConsent' | 'useConsentState'>;
  now: () => number;
  log: Logger;
  limit: ConsentRateLimit;
}

/** Who is calling back: the browser's binding cookie, and its address for rate limiting. */
export interface CallbackClient {
  binding: string | null;
  address: string;
}

/**
 * `GET /admin/consent/callback`: state first (so no one can make this page show their text), then
 * that this browser started it, then Entra's error, then the tenant; then the rate limit, the
 * state is used up, and Entra confirms the tenant with CONSENT_ROLE; only then is it recorded.
 */
export async function handleConsentCallback(query: URLSearchParams, client: CallbackClient, deps: CallbackDeps): Promise<CallbackOutcome> {
  const read = readState(deps.settings.stateKey, query.get('state'), deps.now());
  if (!read.ok) return { kind: 'bad_state', problem: read.problem };
  const { state } = read;
  if (!bindingMatches(state.binding, client.binding)) return { kind: 'bad_state', problem: 'foreign' };

  const error = query.get('error');
  if (error !== null) {
    if (!(await deps.store.useConsentState(state.nonce, state.expiresAt, deps.now()))) return { kind: 'bad_state', problem: 'replayed' };
    deps.log.info({ error }, 'admin consent: Entra returned an error');
    return { kind: 'entra_error', error: clip(error, 100), description: nullIfEmpty(clip(query.get('error_description') ?? '', 1000)) };
  }
  const tenant = query.get('tenant')?.trim().toLowerCase() ?? '';
  if (query.get('admin_consent')?.toLowerCase() !== 'true' || !GUID.test(tenant)) return { kind: 'bad_callback' };

  // Limited before the state is used up: a limited admin can use the same answer once the window passes.
  const allowed = deps.limit.take(client.address);
  if (!allowed.allowed) {
    deps.log.warn({ tenantId: tenant, retryAfterMs: allowed.retryAfterMs }, 'admin consent: too many checks with Entra; refused for now');
    return { kind: 'rate_limited', retryAfterMs: allowed.retryAfterMs };
  }
  if (!(await deps.store.useConsentState(state.nonce, state.expiresAt, deps.now()))) return { kind: 'bad_state', problem: 'replayed' };

  const check = await deps.confirm(tenant);
  if (!check.confirmed || !check.roles.includes(CONSENT_ROLE)) {
    const { failure, code } = check.confirmed ? { failure: 'not_admin' as const, code: null } : check;
    deps.log.warn({ tenantId: tenant, failure, code }, 'admin consent could not be confirmed; nothing recorded');
    const retryable = failure === 'not_consented' || failure === 'unavailable' || failure === 'not_admin';
    return { kind: 'not_confirmed', tenantId: tenant, failure, code, retry: retryable ? retryWith(query, state, deps) : null };
  }
  const consent: TenantConsent = {
    tenantId: check.tenantId,
    grantedBy: state.requestedBy === null ? null : `requested by ${state.requestedBy} (unverified, from the consent link)`,
    scopes: consentScopes(query.get('scope'), check.roles),
    grantedAt: deps.now(),
  };
  await deps.store.recordConsent(consent);
  if (state.tenantHint !== null && GUID.test(state.tenantHint) && state.tenantHint !== check.tenantId) {
    deps.log.warn(
      { tenantId: check.tenantId, tenantHint: state.tenantHint },
      'admin consent granted in another tenant than the link suggested',
    );
  }
  deps.log.info({ tenantId: check.tenantId, scopes: consent.scopes }, 'admin consent confirmed and recorded');
  return { kind: 'granted', consent, tenantHint: state.tenantHint };
}

/**
 * The scopes Entra reported in the callback; else the app roles in the token; else what was asked
 * for (`.default`: everything the app registration lists).
 */
export function consentScopes(scopeParam: string | null, roles: string[]): string[] {
  const fromCallback = (scopeParam ?? '')
    .split(/\s+/)
    .filter((s) => /^[\x21-\x7e]{1,200}$/.test(s))
    .slice(0, 50);
  if (fromCallback.length > 0) return [...new Set(fromCallback)];
  if (roles.length > 0) return roles;
  return [CONSENT_SCOPE];
}

/**
 * The same callback again with a new state for this browser (the used one cannot be replayed):
 * Entra may need a moment to replicate consent.
 */
function retryWith(query: URLSearchParams, state: ConsentState, deps: CallbackDeps): { path: string; cookie: string } {
  const started = startState(deps.settings, { tenantHint: state.tenantHint, requestedBy: state.requestedBy }, deps.now());
  const again = new URLSearchParams();
  for (const name of ['admin_consent', 'tenant', 'scope']) {
    const value = query.get(name);
    if (value !== null) again.set(name, value);
  }
  again.set('state', started.state);
  return { path: `${CALLBACK_PATH}?${again.toString()}`, cookie: started.cookie };
}

function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max).join('')}…`;
}

function nullIfEmpty(text: string): string | null {
  return text.trim() === '' ? null : text;
}
