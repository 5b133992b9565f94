/**
 * Confirms admin consent with @azure/msal-node: Entra issues the app a client-credentials token for
 * itself (`<client id>/.default`) in a tenant only once the app has a service principal there, and
 * the token's `roles` lists the app roles an admin granted there (the caller checks CONSENT_ROLE).
 */
import {
  AuthError,
  ConfidentialClientApplication,
  InteractionRequiredAuthError,
  LogLevel,
  ServerError,
  type NodeAuthOptions,
} from '@azure/msal-node';
import type { Logger } from '../log';
import { type ConfirmConsent, type ConsentCheck, type ConsentCredential, consentTokenScope } from './admin-consent';

/**
 * MSAL's own authority options, for clouds or authorities MSAL does not know (sovereign clouds,
 * the fake authority of the tests): `knownAuthorities`, `authorityMetadata`, `cloudDiscoveryMetadata`.
 */
export type MsalAuthorityOptions = Pick<NodeAuthOptions, 'knownAuthorities' | 'authorityMetadata' | 'cloudDiscoveryMetadata'>;

export interface MsalConsentCheckOptions {
  clientId: string;
  credential: ConsentCredential;
  /** e.g. https://login.microsoftonline.com; the authority is `<host>/<tenant id>`. */
  authorityHost: string;
  authorityOptions?: MsalAuthorityOptions;
  log: Logger;
}

/** Entra error codes that mean the app's own credential was refused (secret wrong or expired, bad certificate). */
const CREDENTIAL_ERRORS = new Set(['AADSTS7000215', 'AADSTS7000222', 'AADSTS700027', 'AADSTS700024', 'AADSTS7000274']);

/** A ConfirmConsent that asks Entra for a client-credentials token for the app itself in the tenant. */
export function createMsalConsentCheck(options: MsalConsentCheckOptions): ConfirmConsent {
  const { log } = options;
  return async (tenantId: string): Promise<ConsentCheck> => {
    // One client per check: a cached token from an earlier check must not stand in for Entra's answer now.
    const client = new ConfidentialClientApplication({
      auth: {
        clientId: options.clientId,
        authority: `${options.authorityHost}/${tenantId}`,
        ...options.credential,
        ...options.authorityOptions,
      },
      system: {
        loggerOptions: {
          logLevel: LogLevel.Warning,
          piiLoggingEnabled: false,
          loggerCallback: (_level, message) => log.warn({ tenantId }, `msal: ${message}`),
        },
      },
    });
    let accessToken: string;
    try {
      const result = await client.acquireTokenByClientCredential({ scopes: [consentTokenScope(options.clientId)], skipCache: true });
      if (result === null) return { confirmed: false, failure: 'unavailable', code: null };
      accessToken = result.accessToken;
    } catch (err) {
      return classifyMsalError(err, tenantId, log);
    }
    return checkTokenTenant(accessToken, tenantId, log);
  };
}

/**
 * The token comes straight from the tenant's token endpoint over TLS, so it is not verified as a
 * JWT here; its `tid` is only compared with the tenant asked for. Should Entra ever issue an opaque
 * token, the tenant-specific authority that issued it is the confirmation.
 */
export function checkTokenTenant(accessToken: string, tenantId: string, log: Logger): ConsentCheck {
  const claims = tokenClaims(accessToken);
  const tid = typeof claims?.tid === 'string' ? claims.tid.toLowerCase() : null;
  if (tid !== null && tid !== tenantId.toLowerCase()) {
    log.warn({ tenantId, tokenTenantId: tid }, 'admin consent: the token is for another tenant');
    return { confirmed: false, failure: 'tenant_mismatch', code: null };
  }
  if (tid === null) log.info({ tenantId }, 'admin consent: token carries no readable tid; trusting the tenant authority that issued it');
  const roles = Array.isArray(claims?.roles) ? claims.roles.filter((r): r is string => typeof r === 'string') : [];
  return { confirmed: true, tenantId: tenantId.toLowerCase(), roles };
}

/** The payload of a JWT, read without verification; null when the token is not a readable JWT. */
function tokenClaims(token: string): Record<string, unknown> | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch (err) {
    if (err instanceof SyntaxError) return null;
    throw err;
  }
  return typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? (payload as Record<string, unknown>) : null;
}

/** Maps MSAL's errors to a failure; the AADSTS code is kept for the page and the log. */
export function classifyMsalError(err: unknown, tenantId: string, log: Logger): ConsentCheck {
  if (!(err instanceof AuthError)) {
    log.error({ err, tenantId }, 'admin consent: unexpected error from MSAL');
    return { confirmed: false, failure: 'unavailable', code: null };
  }
  const code = /AADSTS\d+/.exec(err.errorMessage)?.[0] ?? null;
  if (code !== null && CREDENTIAL_ERRORS.has(code)) {
    log.error(
      { tenantId, code, errorCode: err.errorCode },
      'admin consent: Entra refused the app credential (BOT_PASSWORD or certificate)',
    );
    return { confirmed: false, failure: 'credentials_rejected', code };
  }
  const refused =
    err instanceof InteractionRequiredAuthError || (err instanceof ServerError && (err.status === undefined || err.status < 500));
  if (refused) {
    log.warn({ tenantId, code, errorCode: err.errorCode }, 'admin consent: Entra issued no token for the tenant');
    return { confirmed: false, failure: 'not_consented', code: code ?? err.errorCode };
  }
  // Entra's server errors and MSAL's client-side ones (network failures, unreachable metadata).
  log.warn({ tenantId, code, errorCode: err.errorCode }, 'admin consent: could not get an answer from Entra');
  return { confirmed: false, failure: 'unavailable', code: code ?? null };
}
