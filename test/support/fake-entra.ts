/**
 * A fake Microsoft Entra authority for admin-consent tests: a real HTTP server on 127.0.0.1 with
 * the per-tenant OpenID configuration and the v2 token endpoint's client-credentials grant. It
 * issues the app a token for itself (`<client id>/.default`) only in tenants where the app has a
 * service principal (`consented`: any consent, a user's too), with the app roles an admin granted
 * there in `roles` (`appRoles`, none unless an admin consented); checks the client secret or the
 * certificate's signed client assertion, and records every request. For the tab's single sign-on it
 * also publishes a JWKS (`/<tenant>/discovery/v2.0/keys`, one key set for every tenant, as Entra
 * does) and mints user access tokens the way Teams' `getAuthToken()` hands them to the tab.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';

/** The delegated scope the tab asks for (the Entra app exposes it). */
export const TAB_SCOPE = 'access_as_user';

/** A user access token for the tab; every claim can be made wrong on purpose. */
export interface UserTokenOptions {
  tenant: string;
  /** `aud`: the Application ID URI or the client id. */
  audience: string;
  /** The user's Entra object id. */
  oid: string;
  /** `scp`; default `access_as_user`. */
  scp?: string;
  /** Default `<fake url>/<tenant>/v2.0`, as Entra issues v2 tokens. */
  issuer?: string;
  /** `exp` relative to now (negative: already expired); default one hour. */
  expiresInSeconds?: number;
  /** `published` (in the JWKS, default) or `unpublished` (a key Entra never published). */
  key?: 'published' | 'unpublished';
  /** `azp`, the app the token was issued to; default Teams web. Null leaves the claim out. */
  azp?: string | null;
}

/** Teams' clients as Entra names them in `azp`. */
export const TEAMS_WEB_CLIENT = '5e3ce6c0-2b1f-4285-8d4b-75ee78787346';
export const TEAMS_DESKTOP_CLIENT = '1fec8e78-bce4-4aaf-ab1b-5451cc387264';

export const GRAPH_DEFAULT = 'https://graph.microsoft.com/.default';
/** The app role the app registration defines and requests of itself (see docs/deploy.md). */
export const CONSENT_ROLE = 'KlinkTeams.Tenant.Enable';

export interface EntraRequest {
  method: string;
  tenant: string;
  /** `openid-configuration`, `keys`, `token` or `unknown`. */
  endpoint: string;
  form: Record<string, string>;
}

export interface FakeEntraOptions {
  clientId: string;
  /** The client secret the app registration has (BOT_PASSWORD). */
  clientSecret?: string;
  /** The public key of the app's certificate (PEM), to check client assertions. */
  certificatePublicKey?: string;
}

export interface FakeEntra {
  /** http://127.0.0.1:<port> */
  url: string;
  /** Tenants where the app has a service principal: someone consented (a user's consent creates one too). */
  consented: Set<string>;
  /** App roles (application permissions) granted to the app in a tenant: only an admin can grant them. */
  appRoles: Map<string, string[]>;
  /** What an admin's consent does: a service principal with the app role granted. */
  adminConsent(tenant: string): void;
  /** Tokens issued in a tenant carry this `tid` instead (an authority that lies). */
  tidOverride: Map<string, string>;
  requests: EntraRequest[];
  /** An RS256 user access token as Teams SSO hands it to the tab. */
  mintUserToken(options: UserTokenOptions): string;
  /** Key rotation: the `unpublished` key is published too from now on. */
  publishNewKey(): void;
  /**
   * MSAL's `authorityMetadata` for the authorities `<any host>/<tenant>`: the OpenID configuration
   * this server publishes, with `{tenantid}` for the tenant (MSAL fills it in, as in its built-in
   * metadata for login.microsoftonline.com).
   */
  authorityMetadata(): string;
  close(): Promise<void>;
}

export async function startFakeEntra(options: FakeEntraOptions): Promise<FakeEntra> {
  const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const userKeys = { published: userKey(), unpublished: userKey() };
  const jwks = [userKeys.published];
  const consented = new Set<string>();
  const appRoles = new Map<string, string[]>();
  const tidOverride = new Map<string, string>();
  const requests: EntraRequest[] = [];
  let base = '';

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', base);
      const [, rawTenant = '', ...rest] = url.pathname.split('/');
      const tenant = decodeURIComponent(rawTenant);
      const path = rest.join('/');
      const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
      const send = (status: number, body: object): void => {
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify(body));
      };
      if (req.method === 'GET' && path === 'v2.0/.well-known/openid-configuration') {
        requests.push({ method: 'GET', tenant, endpoint: 'openid-configuration', form });
        send(200, openIdConfiguration(base, tenant));
        return;
      }
      if (req.method === 'GET' && path === 'discovery/v2.0/keys') {
        requests.push({ method: 'GET', tenant, endpoint: 'keys', form });
        send(200, {
          keys: jwks.map((key) => {
            const { n, e } = key.publicKey.export({ format: 'jwk' });
            return { kty: 'RSA', use: 'sig', kid: key.kid, x5t: key.kid, n, e };
          }),
        });
        return;
      }
      if (req.method === 'POST' && path === 'oauth2/v2.0/token') {
        requests.push({ method: 'POST', tenant, endpoint: 'token', form });
        const [status, body] = token(tenant.toLowerCase(), form, `${base}/${tenant}/oauth2/v2.0/token`);
        send(status, body);
        return;
      }
      requests.push({ method: req.method ?? '', tenant, endpoint: 'unknown', form });
      send(404, { error: 'not_found', error_description: `the fake Entra has no ${req.method} ${url.pathname}` });
    });
  });

  function token(tenant: string, form: Record<string, string>, audience: string): [number, object] {
    const ownResource = `${options.clientId}/.default`;
    if (form.grant_type !== 'client_credentials' || form.scope !== ownResource) {
      return [400, entraError('invalid_request', 900144, `AADSTS900144: expected grant_type client_credentials and scope ${ownResource}`)];
    }
    if (form.client_id !== options.clientId || !credentialValid(form, audience)) {
      return [
        401,
        entraError(
          'invalid_client',
          7000215,
          'AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.',
        ),
      ];
    }
    if (!consented.has(tenant)) {
      return [
        400,
        entraError(
          'unauthorized_client',
          700016,
          `AADSTS700016: Application with identifier '${options.clientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.`,
        ),
      ];
    }
    const tid = tidOverride.get(tenant) ?? tenant;
    // Like Entra: `roles` lists the granted app roles, and is left out when there are none.
    const roles = appRoles.get(tenant) ?? [];
    const accessToken = jwt.sign(
      {
        aud: options.clientId,
        iss: `https://sts.windows.net/${tid}/`,
        tid,
        appid: options.clientId,
        ...(roles.length > 0 ? { roles } : {}),
      },
      signingKey,
      { algorithm: 'RS256', expiresIn: 3600 },
    );
    return [200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: accessToken }];
  }

  function credentialValid(form: Record<string, string>, audience: string): boolean {
    if (form.client_secret !== undefined) return options.clientSecret !== undefined && form.client_secret === options.clientSecret;
    if (
      form.client_assertion_type !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' ||
      options.certificatePublicKey === undefined
    )
      return false;
    try {
      jwt.verify(form.client_assertion ?? '', options.certificatePublicKey, {
        // Entra allows clock skew; MSAL rounds its assertion's nbf to the nearest second.
        algorithms: ['RS256'],
        audience,
        issuer: options.clientId,
        subject: options.clientId,
        clockTolerance: 300,
      });
      return true;
    } catch (err) {
      if (err instanceof jwt.JsonWebTokenError) return false;
      throw err;
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    consented,
    appRoles,
    tidOverride,
    requests,
    adminConsent: (tenant) => {
      consented.add(tenant);
      appRoles.set(tenant, [CONSENT_ROLE]);
    },
    publishNewKey: () => {
      if (!jwks.includes(userKeys.unpublished)) jwks.push(userKeys.unpublished);
    },
    mintUserToken: (token) => {
      const key = userKeys[token.key ?? 'published'];
      const claims = {
        aud: token.audience,
        iss: token.issuer ?? `${base}/${token.tenant}/v2.0`,
        tid: token.tenant,
        oid: token.oid,
        scp: token.scp ?? TAB_SCOPE,
        ...(token.azp === null ? {} : { azp: token.azp ?? TEAMS_WEB_CLIENT }),
        ver: '2.0',
      };
      const nowSeconds = Math.floor(Date.now() / 1000);
      const exp = nowSeconds + (token.expiresInSeconds ?? 3600);
      return jwt.sign({ ...claims, iat: Math.min(nowSeconds, exp - 60), nbf: Math.min(nowSeconds, exp - 60), exp }, key.privateKey, {
        algorithm: 'RS256',
        keyid: key.kid,
        noTimestamp: true,
      });
    },
    authorityMetadata: () => JSON.stringify(openIdConfiguration(base, '{tenantid}')),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function userKey() {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...pair, kid: randomUUID() };
}

function openIdConfiguration(base: string, tenant: string): object {
  return {
    issuer: `${base}/${tenant}/v2.0`,
    authorization_endpoint: `${base}/${tenant}/oauth2/v2.0/authorize`,
    token_endpoint: `${base}/${tenant}/oauth2/v2.0/token`,
    end_session_endpoint: `${base}/${tenant}/oauth2/v2.0/logout`,
    jwks_uri: `${base}/${tenant}/discovery/v2.0/keys`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    tenant_region_scope: 'EU',
  };
}

function entraError(error: string, code: number, description: string): object {
  return {
    error,
    error_description: `${description}\r\nTrace ID: 00000000-0000-0000-0000-000000000000\r\nCorrelation ID: 00000000-0000-0000-0000-000000000001\r\nTimestamp: 2025-06-01 12:00:00Z`,
    error_codes: [code],
    timestamp: '2025-06-01 12:00:00Z',
    trace_id: '00000000-0000-0000-0000-000000000000',
    correlation_id: '00000000-0000-0000-0000-000000000001',
  };
}
