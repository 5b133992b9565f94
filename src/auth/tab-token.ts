/**
 * Validates the Entra access token the klink tab gets from Teams single sign-on
 * (`authentication.getAuthToken()`), with jose against Entra's published keys: RS256 signature,
 * `aud` (the Application ID URI or the app's client id), issuer of the token's own tenant (v2),
 * lifetime with a small clock skew, the `access_as_user` scope, then the bot's tenant gate.
 *
 * One key set serves every tenant: Entra signs all tenants' tokens with the same published keys
 * (the per-tenant jwks_uri lists that same set unless an app uses custom signing keys, which this
 * one does not), so a stranger cannot grow a per-tenant cache by sending made-up `tid` values.
 * jose caches the keys and fetches them again when a token names an unknown `kid`.
 */
import { type JWTPayload, createRemoteJWKSet, decodeJwt, errors, jwtVerify } from 'jose';
import type { TenantPolicy } from './tenant-policy';

/** The delegated scope the Entra app exposes for the tab. */
export const TAB_SCOPE = 'access_as_user';
export const DEFAULT_TAB_AUTHORITY = 'https://login.microsoftonline.com';
/**
 * The apps a tab token may have been issued to (`azp`, the authorized party, in v2 tokens; v1's
 * `appid`): the Teams clients that TEAMS-FACTS says the Entra app pre-authorizes, desktop/mobile
 * and web, and the bot's own app. A token another app obtained for klink's scope is refused.
 */
export const TEAMS_CLIENT_IDS: readonly string[] = ['1fec8e78-bce4-4aaf-ab1b-5451cc387264', '5e3ce6c0-2b1f-4285-8d4b-75ee78787346'];
/** Tolerated difference between Entra's clock and ours. */
const CLOCK_SKEW_SECONDS = 60;
const METADATA_TIMEOUT_MS = 5_000;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Who called the tab API. */
export interface TabUser {
  /** Entra object id (`oid`). */
  userId: string;
  /** Entra tenant id (`tid`), lower case; null for the local development identity. */
  tenantId: string | null;
  /** The user's display name (`name`, when the token carries it). */
  name: string | null;
  /** True only in local mode: not a signed-in user. */
  development: boolean;
}

export type TabTokenProblem =
  | 'missing'
  | 'invalid'
  | 'expired'
  | 'audience'
  | 'issuer'
  | 'v1-token'
  | 'client-not-allowed'
  | 'scope'
  | 'tenant-not-enabled'
  | 'keys-unavailable';

/** A refused token (or keys that could not be fetched), with a stable code mapped to HTTP at the edge. */
export class TabTokenError extends Error {
  constructor(
    readonly problem: TabTokenProblem,
    readonly tenantId: string | null = null,
    options?: ErrorOptions,
  ) {
    super(`tab token refused: ${problem}`, options);
    this.name = 'TabTokenError';
  }
}

export interface TabTokenOptions {
  botId: string;
  /** `PUBLIC_URL`: the Application ID URI is `api://<its host>/botid-<bot id>`. */
  publicUrl: string;
  tenants: Pick<TenantPolicy, 'allows'>;
  now: () => number;
  /** Entra's host; tests point it at a local OpenID/JWKS server. */
  authorityHost?: string;
}

export class TabTokenValidator {
  private readonly authority: string;
  private readonly audiences: string[];
  private keys: Promise<ReturnType<typeof createRemoteJWKSet>> | null = null;

  constructor(private readonly options: TabTokenOptions) {
    this.authority = (options.authorityHost ?? DEFAULT_TAB_AUTHORITY).replace(/\/+$/, '');
    this.audiences = [applicationIdUri(options.publicUrl, options.botId), options.botId];
  }

  /** The user the token was issued to; throws TabTokenError when it must be refused. */
  async validate(token: string): Promise<TabUser> {
    const tenant = claimedTenant(token);
    if (tenant.issuer === `https://sts.windows.net/${tenant.tid}/`) throw new TabTokenError('v1-token');
    let payload: JWTPayload;
    try {
      const { payload: verified } = await jwtVerify(token, await this.keySet(), {
        algorithms: ['RS256'],
        audience: this.audiences,
        issuer: `${this.authority}/${tenant.tid}/v2.0`,
        clockTolerance: CLOCK_SKEW_SECONDS,
        currentDate: new Date(this.options.now()),
        requiredClaims: ['exp', 'tid', 'oid'],
      });
      payload = verified;
    } catch (err) {
      throw asTokenError(err);
    }
    const clients = [...TEAMS_CLIENT_IDS, this.options.botId.toLowerCase()];
    if (typeof payload.azp !== 'string' || !clients.includes(payload.azp.toLowerCase())) throw new TabTokenError('client-not-allowed');
    const scopes = typeof payload.scp === 'string' ? payload.scp.split(' ') : [];
    if (!scopes.includes(TAB_SCOPE)) throw new TabTokenError('scope');
    const tenantId = tenant.tid.toLowerCase();
    if (!(await this.options.tenants.allows(tenantId))) throw new TabTokenError('tenant-not-enabled', tenantId);
    if (typeof payload.oid !== 'string' || payload.oid === '') throw new TabTokenError('invalid');
    const name = typeof payload.name === 'string' && payload.name.trim() !== '' ? payload.name.trim() : null;
    return { userId: payload.oid, tenantId, name, development: false };
  }

  /** The key set named by Entra's OpenID metadata; fetched once, again after a failure. */
  private keySet(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    this.keys ??= this.discover().catch((err: unknown) => {
      this.keys = null;
      throw err;
    });
    return this.keys;
  }

  private async discover(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    const url = `${this.authority}/organizations/v2.0/.well-known/openid-configuration`;
    let jwksUri: unknown;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(METADATA_TIMEOUT_MS) });
      if (!response.ok) throw new Error(`OpenID metadata answered ${response.status}`);
      jwksUri = ((await response.json()) as { jwks_uri?: unknown }).jwks_uri;
    } catch (err) {
      throw new TabTokenError('keys-unavailable', null, { cause: err });
    }
    if (typeof jwksUri !== 'string') throw new TabTokenError('keys-unavailable');
    return createRemoteJWKSet(new URL(jwksUri), { timeoutDuration: METADATA_TIMEOUT_MS });
  }
}

/** `api://<PUBLIC_URL host>/botid-<bot id>`: what Teams expects for an app with a bot and a tab. */
export function applicationIdUri(publicUrl: string, botId: string): string {
  return `api://${new URL(publicUrl).host}/botid-${botId}`;
}

/** The (not yet verified) tenant and issuer the token names: the issuer to expect depends on them. */
function claimedTenant(token: string): { tid: string; issuer: unknown } {
  let claims: JWTPayload;
  try {
    claims = decodeJwt(token);
  } catch (err) {
    if (err instanceof errors.JOSEError) throw new TabTokenError('invalid');
    throw err;
  }
  if (typeof claims.tid !== 'string' || !GUID.test(claims.tid)) throw new TabTokenError('invalid');
  return { tid: claims.tid, issuer: claims.iss };
}

function asTokenError(err: unknown): unknown {
  if (err instanceof TabTokenError) return err;
  if (err instanceof errors.JWTExpired) return new TabTokenError('expired');
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'aud') return new TabTokenError('audience');
    if (err.claim === 'iss') return new TabTokenError('issuer');
    return new TabTokenError('invalid');
  }
  if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid) return new TabTokenError('keys-unavailable');
  if (
    err instanceof errors.JWKSNoMatchingKey ||
    err instanceof errors.JWKSMultipleMatchingKeys ||
    err instanceof errors.JWSSignatureVerificationFailed ||
    err instanceof errors.JWSInvalid ||
    err instanceof errors.JWTInvalid ||
    err instanceof errors.JOSEAlgNotAllowed ||
    err instanceof errors.JOSENotSupported
  ) {
    return new TabTokenError('invalid');
  }
  // Anything else is the key set's HTTP request failing (a network error, a non-200 answer).
  return new TabTokenError('keys-unavailable', null, { cause: err });
}
