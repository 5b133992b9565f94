/**
 * Admin consent as a tenant's opt-in: the v2 admin-consent URL with a signed, expiring `state`,
 * and the callback's decision. No HTTP and no MSAL here: confirming consent is an injected function
 * (src/auth/msal-consent-check.ts), recording it goes to the store.
 */
import { randomBytes } from 'node:crypto';
import type { Config } from '../config';
import type { Logger } from '../log';
import type { TenantConsent, TenantStore } from '../store/store';
import { signToken, verifyToken } from './secret-box';

/** App permissions are consented as `.default`: every Graph permission the app registration lists. */
export const CONSENT_SCOPE = 'https://graph.microsoft.com/.default';
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

export type ConsentCredential =
  | { clientSecret: string }
  | { clientCertificate: { thumbprint: string; privateKey: string } };

export type ConsentSetup =
  | { ready: true; settings: ConsentSettings; credential: ConsentCredential }
  | { ready: false; problems: string[] };

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
    problems.push('BOT_ID is not set (local mode): set it to the Entra app (client) id of the bot\'s multi-tenant app registration');
  }
  if (publicUrl === null) {
    problems.push('PUBLIC_URL is not set: set the bot\'s public https base URL; Entra redirects admins back to <PUBLIC_URL>/admin/consent/callback');
  }
  if (stateKey === null) {
    problems.push('DATA_ENCRYPTION_KEY is not set: the consent link\'s state is signed with it; generate one with `openssl rand -base64 32`');
  }
  if (credential === null && clientId !== null) {
    problems.push('no app credential: confirming consent needs the Entra app\'s client secret (BOT_PASSWORD) or certificate (BOT_CERTIFICATE_THUMBPRINT and BOT_CERTIFICATE_PRIVATE_KEY); a managed identity cannot get tokens in other tenants');
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
  const text = raw.replace(/[\p{Cc}\p{Cf}]/gu, ' ').replace(/\s+/g, ' ').trim();
  if (text === '') return null;
  return [...text].slice(0, MAX_REQUESTED_BY).join('');
}

/** Signs a new state valid for STATE_TTL_MS. */
export function createState(key: Buffer, input: { tenantHint: string | null; requestedBy: string | null }, now: number): string {
  const payload: StatePayload = { n: randomBytes(16).toString('base64url'), exp: now + STATE_TTL_MS, t: input.tenantHint };
  if (input.requestedBy !== null) payload.rb = input.requestedBy;
  return signToken(key, payload, STATE_PURPOSE);
}

export type StateProblem = 'missing' | 'invalid' | 'expired';

/** Verifies the signature first, then the shape, then the expiry. */
export function readState(key: Buffer, token: string | null, now: number): { ok: true; state: ConsentState } | { ok: false; problem: StateProblem } {
  if (token === null || token === '') return { ok: false, problem: 'missing' };
  if (token.length > MAX_STATE_LENGTH) return { ok: false, problem: 'invalid' };
  const payload = verifyToken(key, token, STATE_PURPOSE);
  if (!isStatePayload(payload)) return { ok: false, problem: 'invalid' };
  if (payload.exp <= now) return { ok: false, problem: 'expired' };
  return { ok: true, state: { nonce: payload.n, expiresAt: payload.exp, tenantHint: payload.t, requestedBy: payload.rb ?? null } };
}

interface StatePayload { n: string; exp: number; t: string | null; rb?: string }

function isStatePayload(value: unknown): value is StatePayload {
  if (typeof value !== 'object' || value === null) return false;
  const p = value as Record<string, unknown>;
  return typeof p.n === 'string' && p.n !== '' && typeof p.exp === 'number' && Number.isFinite(p.exp)
    && (p.t === null || typeof p.t === 'string') && (p.rb === undefined || typeof p.rb === 'string');
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

export type BeginOutcome = { kind: 'redirect'; location: string } | { kind: 'bad_tenant_hint'; hint: string };

/** `GET /admin/consent`: the Entra URL to send the admin to. */
export function beginConsent(query: URLSearchParams, settings: ConsentSettings, now: number): BeginOutcome {
  const hint = parseTenantHint(query.get('tenant'));
  if (!hint.ok) return { kind: 'bad_tenant_hint', hint: query.get('tenant') ?? '' };
  const state = createState(settings.stateKey, { tenantHint: hint.tenant, requestedBy: cleanRequestedBy(query.get('requestedBy')) }, now);
  return { kind: 'redirect', location: buildConsentUrl(settings, hint.tenant, state) };
}

/** Why a tenant's consent could not be confirmed. */
export type ConsentCheckFailure =
  /** Entra would not issue a token for the app in that tenant (no consent, or not yet replicated). */
  | 'not_consented'
  /** Entra refused the app's own credential: an operator problem, not the tenant's. */
  | 'credentials_rejected'
  /** The token was for another tenant than the callback named. */
  | 'tenant_mismatch'
  /** Entra could not be reached or answered with a server error. */
  | 'unavailable';

export type ConsentCheck =
  | { confirmed: true; tenantId: string; roles: string[] }
  | { confirmed: false; failure: ConsentCheckFailure; code: string | null };

/** Confirms that `tenantId` (a GUID) consented, e.g. by getting a client-credentials token there. */
export type ConfirmConsent = (tenantId: string) => Promise<ConsentCheck>;

export type CallbackOutcome =
  | { kind: 'bad_state'; problem: StateProblem }
  | { kind: 'bad_callback' }
  | { kind: 'entra_error'; error: string; description: string | null }
  | { kind: 'not_confirmed'; tenantId: string; failure: ConsentCheckFailure; code: string | null; retryPath: string | null }
  | { kind: 'granted'; consent: TenantConsent; tenantHint: string | null };

export interface CallbackDeps {
  settings: ConsentSettings;
  confirm: ConfirmConsent;
  store: Pick<TenantStore, 'recordConsent'>;
  now: () => number;
  log: Logger;
}

/**
 * `GET /admin/consent/callback`: state first (so no one can make this page show their text), then
 * Entra's error, then the tenant, confirmed by `confirm`; only a confirmed tenant is recorded.
 */
export async function handleConsentCallback(query: URLSearchParams, deps: CallbackDeps): Promise<CallbackOutcome> {
  const read = readState(deps.settings.stateKey, query.get('state'), deps.now());
  if (!read.ok) return { kind: 'bad_state', problem: read.problem };
  const { state } = read;

  const error = query.get('error');
  if (error !== null) {
    deps.log.info({ error }, 'admin consent: Entra returned an error');
    return { kind: 'entra_error', error: clip(error, 100), description: nullIfEmpty(clip(query.get('error_description') ?? '', 1000)) };
  }
  const tenant = query.get('tenant')?.trim().toLowerCase() ?? '';
  if (query.get('admin_consent')?.toLowerCase() !== 'true' || !GUID.test(tenant)) return { kind: 'bad_callback' };

  const check = await deps.confirm(tenant);
  if (!check.confirmed) {
    deps.log.warn({ tenantId: tenant, failure: check.failure, code: check.code }, 'admin consent could not be confirmed; nothing recorded');
    const retryable = check.failure === 'not_consented' || check.failure === 'unavailable';
    return { kind: 'not_confirmed', tenantId: tenant, failure: check.failure, code: check.code, retryPath: retryable ? retryPath(query) : null };
  }
  const consent: TenantConsent = {
    tenantId: check.tenantId,
    grantedBy: state.requestedBy === null ? null : `requested by ${state.requestedBy} (unverified, from the consent link)`,
    scopes: consentScopes(query.get('scope'), check.roles),
    grantedAt: deps.now(),
  };
  await deps.store.recordConsent(consent);
  if (state.tenantHint !== null && GUID.test(state.tenantHint) && state.tenantHint !== check.tenantId) {
    deps.log.warn({ tenantId: check.tenantId, tenantHint: state.tenantHint }, 'admin consent granted in another tenant than the link suggested');
  }
  deps.log.info({ tenantId: check.tenantId, scopes: consent.scopes }, 'admin consent confirmed and recorded');
  return { kind: 'granted', consent, tenantHint: state.tenantHint };
}

/**
 * The scopes Entra reported in the callback; else the app roles in the token; else what was asked
 * for (`.default`: everything the app registration lists).
 */
export function consentScopes(scopeParam: string | null, roles: string[]): string[] {
  const fromCallback = (scopeParam ?? '').split(/\s+/).filter((s) => /^[\x21-\x7e]{1,200}$/.test(s)).slice(0, 50);
  if (fromCallback.length > 0) return [...new Set(fromCallback)];
  if (roles.length > 0) return roles;
  return [CONSENT_SCOPE];
}

/** The same callback again (the state stays valid until it expires): Entra may need a moment to replicate consent. */
function retryPath(query: URLSearchParams): string {
  const again = new URLSearchParams();
  for (const name of ['admin_consent', 'tenant', 'scope', 'state']) {
    const value = query.get(name);
    if (value !== null) again.set(name, value);
  }
  return `${CALLBACK_PATH}?${again.toString()}`;
}

function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max).join('')}…`;
}

function nullIfEmpty(text: string): string | null {
  return text.trim() === '' ? null : text;
}
