/**
 * Who calls the tab API: the user of a valid Teams SSO token (`Authorization: Bearer …`), or in
 * local mode (no BOT_ID, never in production) a fixed, clearly marked development identity.
 * A refused token becomes a problem a person can act on: 401 with `WWW-Authenticate: Bearer`
 * (the page retries once silently with a fresh token), 403 for a valid token that may not act.
 */
import type { Request } from 'restify';
import type { TenantPolicy } from '../auth/tenant-policy';
import { TAB_SCOPE, TabTokenError, type TabTokenProblem, type TabUser } from '../auth/tab-token';
import type { Problem } from './problem';

/** Local mode's caller: not a signed-in user; the log says so at start. */
export const DEVELOPMENT_USER: TabUser = Object.freeze({
  userId: 'local-development-user',
  tenantId: null,
  name: null,
  development: true,
});

export interface TabTokens {
  validate(token: string): Promise<TabUser>;
}

export type TabAuthResult = { ok: true; user: TabUser } | { ok: false; problem: Problem; cause: TabTokenError };

/** The caller, or the problem to answer; `tokens` null means local mode. */
export async function authenticateTab(
  req: Request,
  tokens: TabTokens | null,
  tenants: Pick<TenantPolicy, 'consentUrl'>,
): Promise<TabAuthResult> {
  if (tokens === null) return { ok: true, user: DEVELOPMENT_USER };
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  try {
    if (match === null) throw new TabTokenError('missing');
    return { ok: true, user: await tokens.validate(match[1]) };
  } catch (err) {
    if (!(err instanceof TabTokenError)) throw err;
    return { ok: false, problem: tokenProblem(err, tenants), cause: err };
  }
}

const SIGN_IN_AGAIN = 'Sign in to Teams again (or reload the tab) and retry.';

function tokenProblem(err: TabTokenError, tenants: Pick<TenantPolicy, 'consentUrl'>): Problem {
  const unauthorized = (code: TabTokenProblem, detail: string, error = 'invalid_token'): Problem => ({
    code,
    status: 401,
    title: 'Not signed in',
    detail,
    headers: { 'www-authenticate': code === 'missing' ? 'Bearer' : `Bearer error="${error}"` },
  });
  switch (err.problem) {
    case 'missing':
      return unauthorized(
        'missing',
        'Sign in to use klink: this request carries no Teams sign-in token. Open the klink tab in Teams, which signs you in.',
      );
    case 'invalid':
      return unauthorized('invalid', `Your Teams sign-in token could not be verified. ${SIGN_IN_AGAIN}`);
    case 'expired':
      return unauthorized('expired', `Your Teams sign-in has expired. ${SIGN_IN_AGAIN}`);
    case 'audience':
      return unauthorized(
        'audience',
        "This sign-in token is not for klink (wrong audience): the operator must set the tab's Application ID URI to api://<PUBLIC_URL host>/botid-<BOT_ID>.",
      );
    case 'issuer':
      return unauthorized('issuer', `This sign-in token was not issued by your organization's Microsoft Entra ID. ${SIGN_IN_AGAIN}`);
    case 'v1-token':
      return unauthorized(
        'v1-token',
        'This sign-in token is a v1 token; klink accepts v2 tokens only: the operator must set the Entra app to issue v2 access tokens (requestedAccessTokenVersion 2).',
      );
    case 'client-not-allowed':
      return {
        code: 'client-not-allowed',
        status: 403,
        title: 'Not signed in through Teams',
        detail:
          'This sign-in token was issued to an app other than Microsoft Teams or klink: open the klink tab in Teams (desktop, mobile or web), which signs you in.',
      };
    case 'scope':
      return {
        code: 'scope',
        status: 403,
        title: 'Permission missing',
        detail: `This sign-in token lacks klink's ${TAB_SCOPE} permission: ask your Teams admin to grant consent to klink.`,
        headers: { 'www-authenticate': `Bearer error="insufficient_scope", scope="${TAB_SCOPE}"` },
      };
    case 'tenant-not-enabled': {
      const consentUrl = tenants.consentUrl(err.tenantId, null);
      return {
        code: 'tenant-not-enabled',
        status: 403,
        title: 'klink is not enabled for your organization',
        detail: `klink is not enabled for your organization: an admin must grant consent${consentUrl === null ? '' : ` at ${consentUrl}`}.`,
        extra: consentUrl === null ? {} : { consentUrl },
      };
    }
    case 'keys-unavailable':
      return {
        code: 'sign-in-unavailable',
        status: 503,
        title: 'Sign-in cannot be checked right now',
        detail: "Microsoft Entra ID's signing keys could not be fetched, so your sign-in cannot be checked: try again in a minute.",
        headers: { 'retry-after': '30' },
      };
  }
}
