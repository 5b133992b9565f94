/** `GET /admin/consent` and `GET /admin/consent/callback`: admin consent as a tenant's opt-in. */
import type restify from 'restify';
import {
  CALLBACK_PATH,
  CONSENT_PATH,
  type ConfirmConsent,
  type ConsentSetup,
  DEFAULT_AUTHORITY_HOST,
  beginConsent,
  consentSetup,
  handleConsentCallback,
} from '../auth/admin-consent';
import { clearedBindingCookie, readBindingCookie } from '../auth/consent-binding';
import { ConsentRateLimit } from '../auth/consent-rate-limit';
import { type MsalAuthorityOptions, createMsalConsentCheck } from '../auth/msal-consent-check';
import type { Config } from '../config';
import type { Logger } from '../log';
import type { TenantStore } from '../store/store';
import {
  type ConsentPage,
  badCallbackPage,
  badStatePage,
  badTenantHintPage,
  consentStartPage,
  consentUnavailablePage,
  entraErrorPage,
  grantedPage,
  notConfirmedPage,
  rateLimitedPage,
  renderConsentPage,
} from './consent-page';

export interface ConsentDeps {
  store: Pick<TenantStore, 'recordConsent' | 'useConsentState'>;
  log: Logger;
  now: () => number;
  /** BOT_ID, BOT_PASSWORD or the certificate, PUBLIC_URL, DATA_ENCRYPTION_KEY; local mode answers 503. */
  config: Pick<Config, 'localMode' | 'bot' | 'publicUrl' | 'dataEncryptionKey'>;
  /** Entra's host for the consent URL and for MSAL; default https://login.microsoftonline.com. */
  authorityHost?: string;
  /** Extra MSAL authority options for the default confirmation (another cloud, a test authority). */
  msalAuthority?: MsalAuthorityOptions;
  /** Confirms a tenant's consent; default: MSAL client credentials with the bot's credential. */
  confirm?: ConfirmConsent;
}

/** Adds the two admin-consent routes to `server`; without the settings they need, both answer 503 saying what to set. */
export function registerConsentRoutes(server: restify.Server, deps: ConsentDeps): void {
  const setup = consentSetup(deps.config, deps.authorityHost ?? DEFAULT_AUTHORITY_HOST);
  if (!setup.ready) {
    // In local mode there is no admin consent to set up: not worth an info line at every start.
    deps.log[deps.config.localMode ? 'debug' : 'info'](
      { problems: setup.problems },
      'admin consent is not available until these are configured',
    );
    const unavailable = async (_req: restify.Request, res: restify.Response): Promise<void> =>
      sendPage(res, consentUnavailablePage(setup.problems));
    server.get(CONSENT_PATH, unavailable);
    server.get(CALLBACK_PATH, unavailable);
    return;
  }
  const { settings } = setup;
  const confirm = deps.confirm ?? defaultConfirm(setup, deps);
  const limit = new ConsentRateLimit(deps.now);

  // A page first, not a redirect: the admin sees what is granted before Microsoft asks.
  server.get(CONSENT_PATH, async (req: restify.Request, res: restify.Response) => {
    const outcome = beginConsent(queryOf(req), settings, deps.now());
    if (outcome.kind === 'bad_tenant_hint') return sendPage(res, badTenantHintPage(outcome.hint));
    sendPage(res, consentStartPage(outcome.location), { 'set-cookie': outcome.cookie });
  });

  server.get(CALLBACK_PATH, async (req: restify.Request, res: restify.Response) => {
    const client = { binding: readBindingCookie(req.headers.cookie), address: clientAddress(req) };
    const outcome = await handleConsentCallback(queryOf(req), client, {
      settings,
      confirm,
      store: deps.store,
      now: deps.now,
      log: deps.log,
      limit,
    });
    // The cookie is used up with the state; a limited answer keeps both, a retry gets a new pair.
    const cleared = { 'set-cookie': clearedBindingCookie() };
    switch (outcome.kind) {
      case 'bad_state':
        return sendPage(res, badStatePage(outcome.problem), cleared);
      case 'bad_callback':
        return sendPage(res, badCallbackPage(), cleared);
      case 'entra_error':
        return sendPage(res, entraErrorPage(outcome.error, outcome.description, settings.redirectUri), cleared);
      case 'rate_limited':
        return sendPage(res, rateLimitedPage(outcome.retryAfterMs), { 'retry-after': String(Math.ceil(outcome.retryAfterMs / 1000)) });
      case 'not_confirmed':
        return sendPage(res, notConfirmedPage(outcome), { 'set-cookie': outcome.retry?.cookie ?? clearedBindingCookie() });
      case 'granted':
        return sendPage(res, grantedPage(outcome), cleared);
    }
  });
}

/**
 * The caller's address for rate limiting. Behind App Service (or any one reverse proxy) the socket
 * is the proxy's: the proxy appends the address it saw as the last X-Forwarded-For entry (earlier
 * ones are the client's to choose). Without the header, the socket's address. Reached without a
 * proxy, a caller can name any address there: the overall limit still bounds the calls to Entra.
 */
function clientAddress(req: restify.Request): string {
  const forwarded = req.headers['x-forwarded-for'];
  const last = (Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? ''))
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .pop();
  return withoutPort(last ?? req.socket.remoteAddress ?? 'unknown');
}

/** App Service writes `203.0.113.7:51234` (and `[2001:db8::1]:51234`): a new port is not a new client. */
export function withoutPort(address: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  if (bracketed) return bracketed[1];
  const v4 = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(address);
  return v4 ? v4[1] : address;
}

function defaultConfirm(setup: Extract<ConsentSetup, { ready: true }>, deps: ConsentDeps): ConfirmConsent {
  return createMsalConsentCheck({
    clientId: setup.settings.clientId,
    credential: setup.credential,
    authorityHost: setup.settings.authorityHost,
    authorityOptions: deps.msalAuthority,
    log: deps.log,
  });
}

/** The query string as sent, without relying on restify's queryParser plugin being installed. */
function queryOf(req: restify.Request): URLSearchParams {
  return new URL(req.url ?? '/', 'http://localhost').searchParams;
}

function sendPage(res: restify.Response, page: ConsentPage, extraHeaders: Record<string, string> = {}): void {
  const html = renderConsentPage(page);
  res.writeHead(page.status, {
    ...extraHeaders,
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(html),
    'cache-control': 'no-store',
    // The callback URL carries `state`: keep it out of Referer headers.
    'referrer-policy': 'no-referrer',
    'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
    'x-content-type-options': 'nosniff',
  });
  res.end(html);
}
