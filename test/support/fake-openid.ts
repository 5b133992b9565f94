/**
 * A fake of login.botframework.com for incoming-token tests: a real HTTP server on 127.0.0.1
 * serving the Bot Framework OpenID metadata and JWKS the way the real one does, an RSA key pair
 * generated at start to sign tokens shaped like the Bot Connector's, and a starter for the real
 * app with botbuilder's own settings pointed at it (tests only; production keeps the defaults).
 */
import { createHash, createHmac, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AuthenticationConstants } from 'botframework-connector';
import { CallerIdConstants, type ConfigurationBotFrameworkAuthenticationOptions } from 'botbuilder';
import jwt from 'jsonwebtoken';
import { createApp, type App, type AppOptions } from '../../src/app';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/log';
import { TENANT } from './teams-activities';
import { type StoreKind, createTestDatabase, type TestDatabase } from './test-database';

/** What the Bot Connector puts in `iss` (and what botbuilder requires). */
export const BOT_FRAMEWORK_ISSUER = AuthenticationConstants.ToBotFromChannelTokenIssuer;

/**
 * Which key signs a token: `trusted` is in the JWKS and endorsed for msteams, `otherChannel` is in
 * the JWKS but endorsed only for webchat, `unknown` is not in the JWKS at all.
 */
export type SigningKey = 'trusted' | 'otherChannel' | 'unknown';

export interface MintOptions {
  /** `aud`: the bot's app id. */
  audience: string;
  issuer?: string;
  /** `serviceurl` claim; left out when undefined. */
  serviceUrl?: string;
  /** `exp` relative to now; negative for an already expired token. Default one hour. */
  expiresInSeconds?: number;
  /** `nbf` relative to now (default 0: valid from now). */
  notBefore?: number;
  key?: SigningKey;
  /** `kid` (and `x5t`) header; defaults to the signing key's own id. */
  kid?: string;
  /**
   * Forgeries: `none` (unsigned) or `HS256` keyed with the trusted key's public PEM (the classic
   * algorithm-confusion attack). Default RS256 with `key`.
   */
  algorithm?: 'RS256' | 'HS256' | 'none';
}

interface TestKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  endorsements: string[];
}

export interface FakeOpenId {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** What botbuilder is given as ToBotFromChannelOpenIdMetadataUrl (unique per instance, see below). */
  openIdMetadataUrl: string;
  jwksUri: string;
  /** Key ids as published in the JWKS (`unknown` is not published). */
  kids: Record<SigningKey, string>;
  /** Paths (with query) of every request served, in order. */
  requests: string[];
  /**
   * An outage of login.botframework.com, at the wire: `error` answers the metadata and keys with
   * 500, `reset` drops the connection without an answer; null (default) serves them.
   */
  outage: 'error' | 'reset' | null;
  mintToken(options: MintOptions): string;
  close(): Promise<void>;
}

const METADATA_PATH = '/v1/.well-known/openidconfiguration';
const KEYS_PATH = '/v1/.well-known/keys';

/** Starts the fake on a free port. */
export async function startFakeOpenId(): Promise<FakeOpenId> {
  const keys: Record<SigningKey, TestKey> = {
    trusted: makeKey(['msteams']),
    otherChannel: makeKey(['webchat']),
    unknown: makeKey(['msteams']),
  };
  const published = [keys.trusted, keys.otherChannel];
  const requests: string[] = [];
  let base = '';

  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    requests.push(url);
    if (fake.outage === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fake.outage === 'error') {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('internal server error');
      return;
    }
    const pathname = url.split('?')[0];
    if (req.method === 'GET' && pathname === METADATA_PATH) {
      // Same document as https://login.botframework.com/v1/.well-known/openidconfiguration.
      sendJson(res, {
        issuer: BOT_FRAMEWORK_ISSUER,
        authorization_endpoint: 'https://invalid.botframework.com',
        jwks_uri: `${base}${KEYS_PATH}`,
        id_token_signing_alg_values_supported: ['RS256'],
        token_endpoint_auth_methods_supported: ['private_key_jwt'],
      });
      return;
    }
    if (req.method === 'GET' && pathname === KEYS_PATH) {
      sendJson(res, { keys: published.map(toJwk) });
      return;
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const fake: FakeOpenId = {
    url: base,
    outage: null,
    // botbuilder caches OpenID metadata and keys per metadata URL for the whole process (24 h,
    // JwtTokenExtractor.openIdMetadataCache); a later fake on a reused port would otherwise be
    // checked against this instance's keys. The query makes each instance's URL unique.
    openIdMetadataUrl: `${base}${METADATA_PATH}?instance=${randomUUID()}`,
    jwksUri: `${base}${KEYS_PATH}`,
    kids: { trusted: keys.trusted.kid, otherChannel: keys.otherChannel.kid, unknown: keys.unknown.kid },
    requests,
    mintToken: (options) => mint(keys, options),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return fake;
}

/**
 * botbuilder's settings that make it trust `fake` for tokens from the channel. Setting any of
 * these switches botbuilder to a fully parameterized configuration (every unset one becomes
 * undefined, e.g. an undefined issuer rejects every token), so all of them are given: the
 * public-cloud values, except that channel and emulator OpenID metadata come from the fake
 * (no test reaches the internet).
 */
export function trustFakeOpenId(fake: FakeOpenId): Partial<ConfigurationBotFrameworkAuthenticationOptions> {
  return {
    ToBotFromChannelOpenIdMetadataUrl: fake.openIdMetadataUrl,
    ToBotFromChannelTokenIssuer: AuthenticationConstants.ToBotFromChannelTokenIssuer,
    ToBotFromEmulatorOpenIdMetadataUrl: fake.openIdMetadataUrl,
    ToChannelFromBotLoginUrl: AuthenticationConstants.ToChannelFromBotLoginUrl,
    ToChannelFromBotOAuthScope: AuthenticationConstants.ToChannelFromBotOAuthScope,
    OAuthUrl: AuthenticationConstants.OAuthUrl,
    CallerId: CallerIdConstants.PublicAzureChannel,
    ValidateAuthority: true,
  };
}

/** A bot identity as an Azure Bot registration has it (SingleTenant, home tenant = the test tenant). */
export const TEST_BOT_ID = '5b8c9f4e-1d2a-4c3b-9e8f-7a6b5c4d3e2f';

export interface AuthenticatedApp {
  app: App;
  url: string;
  database: TestDatabase;
  logs: string[];
  close(): Promise<void>;
}

/**
 * The real app outside local mode (BOT_ID set), botbuilder trusting `fake`, on a fresh database
 * (SQLite unless `store` says otherwise), on a free port. `env` adds or overrides settings.
 */
export async function startAuthenticatedApp(
  fake: FakeOpenId,
  env: Record<string, string> = {},
  store: StoreKind = 'sqlite',
  appOptions: Pick<AppOptions, 'allowHttpServiceUrls' | 'tabAuthorityHost' | 'now' | 'tabDir'> = {},
): Promise<AuthenticatedApp> {
  const database = await createTestDatabase(store);
  const config = loadConfig({
    DATABASE_URL: database.url,
    BOT_ID: TEST_BOT_ID,
    BOT_TENANT_ID: TENANT,
    BOT_PASSWORD: 'test-client-secret',
    PUBLIC_URL: 'https://klink-teams.test',
    DATA_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
    KLINK_WEBHOOK_SECRET: 'test-signing-secret',
    LOG_LEVEL: 'debug',
    ...env,
  });
  const logs: string[] = [];
  const log = createLogger(config.logLevel, { write: (line: string) => void logs.push(line) });
  const app = await createApp({ ...config, dataDir: database.dir }, log, {
    botFrameworkAuthentication: trustFakeOpenId(fake),
    idleCheckMs: 100,
    random: () => 0,
    delivery: 'inline',
    ...appOptions,
  });
  try {
    const port = await app.listen(0, '127.0.0.1');
    return {
      app,
      url: `http://127.0.0.1:${port}`,
      database,
      logs,
      async close() {
        await app.close();
        await database.remove();
      },
    };
  } catch (err) {
    await app.close();
    await database.remove();
    throw err;
  }
}

function makeKey(endorsements: string[]): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  // Like the real keys, kid = x5t = a base64url SHA-1 thumbprint (here of the public key).
  const kid = createHash('sha1')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('base64url');
  return { kid, privateKey, publicKey, endorsements };
}

/** A key as login.botframework.com publishes it (`x5c` left out: botbuilder reads only n and e). */
function toJwk(key: TestKey) {
  const { n, e } = key.publicKey.export({ format: 'jwk' });
  return { kty: 'RSA', use: 'sig', kid: key.kid, x5t: key.kid, n, e, endorsements: key.endorsements };
}

/** A token shaped like the Bot Connector's: header typ/alg/kid/x5t; claims serviceurl, nbf, exp, iss, aud. */
function mint(keys: Record<SigningKey, TestKey>, options: MintOptions): string {
  const key = keys[options.key ?? 'trusted'];
  const kid = options.kid ?? key.kid;
  const now = Math.floor(Date.now() / 1000);
  const payload: Record<string, string | number> = {};
  if (options.serviceUrl !== undefined) payload.serviceurl = options.serviceUrl;
  payload.nbf = now + (options.notBefore ?? 0);
  payload.exp = now + (options.expiresInSeconds ?? 3600);
  payload.iss = options.issuer ?? BOT_FRAMEWORK_ISSUER;
  payload.aud = options.audience;
  const algorithm = options.algorithm ?? 'RS256';
  if (algorithm === 'RS256') {
    return jwt.sign(payload, key.privateKey, { algorithm, noTimestamp: true, header: { alg: algorithm, typ: 'JWT', kid, x5t: kid } });
  }
  const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
  const signingInput = `${encode({ alg: algorithm, typ: 'JWT', kid, x5t: kid })}.${encode(payload)}`;
  if (algorithm === 'none') return `${signingInput}.`;
  const publicPem = keys.trusted.publicKey.export({ type: 'spki', format: 'pem' });
  return `${signingInput}.${createHmac('sha256', publicPem).update(signingInput).digest('base64url')}`;
}

function sendJson(res: http.ServerResponse, body: unknown): void {
  // Not chained: restify (loaded with the app) replaces ServerResponse#writeHead with one returning undefined.
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}
