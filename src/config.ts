/**
 * Configuration: read once from an injected environment, validated, typed and frozen.
 * Every problem is collected and reported at once, each with what to change.
 * Nothing else in the code base reads `process.env`.
 */
import path from 'node:path';
import { DATABASE_VARIABLES, type StoreUrl, readDatabase } from './config-database';

export type WebhookAuth =
  | { mode: 'signature'; secrets: string[] }
  | { mode: 'basic'; user: string; password: string }
  | { mode: 'header'; name: string; value: string }
  | { mode: 'none' };

export type BotType = 'SingleTenant' | 'MultiTenant' | 'UserAssignedMSI';

export interface BotIdentity {
  /** Entra app (client) id; for UserAssignedMSI the managed identity's client id. Null: local mode. */
  id: string | null;
  password: string | null;
  /** Certificate credentials instead of a password (thumbprint + PEM private key). */
  certificate: { thumbprint: string; privateKey: string } | null;
  tenantId: string | null;
  type: BotType;
}

export type { PostgresSettings, StoreUrl } from './config-database';

/** What a process runs: `all` (default) the HTTP endpoints with delivery in a worker thread, `web` only the endpoints, `worker` only delivery. */
export type ProcessRole = 'all' | 'web' | 'worker';

export interface Config {
  port: number;
  /** Interface to listen on: loopback only in local mode, where /api/messages is unauthenticated. */
  host: string;
  production: boolean;
  /** No Bot Framework auth: what the Agents Playground talks to. Never in production. */
  localMode: boolean;
  store: StoreUrl;
  role: ProcessRole;
  /** Folder for local state that is not in the database (a generated webhook secret). */
  dataDir: string;
  webhook: WebhookAuth;
  /** Local mode without a configured signing secret: one is generated and kept in `dataDir`. */
  generateWebhookSecret: boolean;
  roomUrlTemplate: string;
  vipTags: string[];
  klinkApi: { token: string | null; baseUrl: string };
  /**
   * Contacts no contact.* webhook told of are looked up in klink's API (with a token): a contact
   * known only from the API is asked again after `refreshMs` (a 404 is kept as long), and a
   * message waits at most `waitMs` for a look-up before it is matched with what is known.
   */
  contactEnrichment: { refreshMs: number; waitMs: number };
  /** KLINK_REPLY: replies from cards where a connection says nothing itself (default off). */
  klinkReply: 'on' | 'off';
  bot: BotIdentity;
  allowedTenants: string[];
  klinkTenantId: string | null;
  /** 32-byte key for secrets kept in the store (signing secrets of further klink connections, consent state). */
  dataEncryptionKey: Buffer | null;
  publicUrl: string | null;
  logLevel: string;
  /** Later messages of a klink room reply in its Teams thread while the thread is this recent. */
  threadWindowMs: number;
  /** Message text is kept this long after delivery, then removed from the store. */
  retentionMs: number;
  /** Bearer token for /metrics and /readyz's reasons; null: open in local mode, /metrics not served otherwise. */
  metricsToken: string | null;
  /** A request body still arriving this long after its headers is cut off with 408. */
  httpRequestTimeoutMs: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`klink-teams cannot start; fix these settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

export const DEFAULT_ROOM_URL_TEMPLATE = 'https://app.klink.cloud/inbox/{roomId}';
/** Longer would only hold connections open; Node's timers also cannot wait beyond 2^31-1 ms. */
const MAX_HTTP_REQUEST_TIMEOUT_MS = 600_000;
/** Waiting longer for klink would hold cards back noticeably: the wait is meant to be short. */
const MAX_CONTACT_WAIT_MS = 10_000;
/** 30 days: an API version older than that says little about today's tags. */
const MAX_CONTACT_REFRESH_MINUTES = 43_200;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const BOT_TYPES: BotType[] = ['SingleTenant', 'MultiTenant', 'UserAssignedMSI'];
const ROOM_PLACEHOLDERS = ['roomId', 'contactId', 'messageId', 'channelType'];

/** Every environment variable loadConfig reads (infra/ may set only these). */
export const CONFIG_VARIABLES = [
  'NODE_ENV',
  'PORT',
  'DATABASE_URL',
  'LOG_LEVEL',
  'PUBLIC_URL',
  'KLINK_WEBHOOK_SECRET',
  'KLINK_WEBHOOK_AUTH',
  'KLINK_WEBHOOK_BASIC_USER',
  'KLINK_WEBHOOK_BASIC_PASSWORD',
  'KLINK_WEBHOOK_HEADER_NAME',
  'KLINK_WEBHOOK_HEADER_VALUE',
  'KLINK_ROOM_URL_TEMPLATE',
  'KLINK_VIP_TAGS',
  'KLINK_API_TOKEN',
  'KLINK_API_BASE_URL',
  'KLINK_CONTACT_REFRESH_MINUTES',
  'KLINK_CONTACT_WAIT_MS',
  'KLINK_REPLY',
  'KLINK_TENANT_ID',
  'BOT_ID',
  'BOT_PASSWORD',
  'BOT_TENANT_ID',
  'BOT_TYPE',
  'BOT_CERTIFICATE_THUMBPRINT',
  'BOT_CERTIFICATE_PRIVATE_KEY',
  'ALLOWED_TENANTS',
  'DATA_ENCRYPTION_KEY',
  'THREAD_WINDOW_HOURS',
  'MESSAGE_RETENTION_DAYS',
  'PROCESS_ROLE',
  'METRICS_TOKEN',
  'HTTP_REQUEST_TIMEOUT_MS',
  ...DATABASE_VARIABLES,
] as const;

/**
 * What a production deployment must set (besides a credential: BOT_PASSWORD, or the certificate
 * pair, or BOT_TYPE=UserAssignedMSI).
 */
export const PRODUCTION_REQUIRED = [
  'NODE_ENV',
  'DATABASE_URL',
  'PUBLIC_URL',
  'BOT_ID',
  'BOT_TENANT_ID',
  'KLINK_WEBHOOK_SECRET',
  'DATA_ENCRYPTION_KEY',
] as const;

/** Builds the configuration from `env`; throws ConfigError listing every problem. */
export function loadConfig(env: Env): Readonly<Config> {
  const problems: string[] = [];
  const get = (name: string): string | null => {
    const value = env[name]?.trim();
    if (value === undefined || value === '') return null;
    // App Service passes a Key Vault reference it could not resolve on as its literal text:
    // used as a secret, that text would be guessable.
    if (value.startsWith('@Microsoft.KeyVault(')) {
      problems.push(
        `${name} is an unresolved Key Vault reference: give the app's managed identity "Key Vault Secrets User" on the vault and check the secret name`,
      );
      return null;
    }
    return value;
  };
  const production = get('NODE_ENV') === 'production';

  const port = readPort(get('PORT'), problems);
  const store = readDatabase(get, problems);
  const role = (get('PROCESS_ROLE') ?? 'all') as ProcessRole;
  if (!['all', 'web', 'worker'].includes(role)) {
    problems.push(
      `PROCESS_ROLE "${role}" is not one of all (default: web endpoints and delivery), web (endpoints only) or worker (delivery only)`,
    );
  }
  const dataDir = store.kind === 'sqlite' ? path.dirname(store.file) : path.resolve('data');

  const botId = get('BOT_ID');
  const botType = (get('BOT_TYPE') ?? 'SingleTenant') as BotType;
  if (botId === null && botType === 'UserAssignedMSI') {
    problems.push("BOT_ID is not set: with BOT_TYPE=UserAssignedMSI set BOT_ID to the managed identity's client id");
  }
  const localMode = botId === null;
  // In production every deployment setting is checked even while BOT_ID is missing, so one start lists them all.
  const deployed = !localMode || production;
  if (localMode && production) {
    problems.push(
      'BOT_ID is not set, which means local mode (no Bot Framework authentication); it is refused with NODE_ENV=production: set BOT_ID to the Entra app (client) id of the Azure Bot',
    );
  }
  if (!BOT_TYPES.includes(botType)) {
    problems.push(`BOT_TYPE "${botType}" is not supported: use ${BOT_TYPES.join(', ')}`);
  }
  const botTenantId = get('BOT_TENANT_ID');
  const certificate = readCertificate(get('BOT_CERTIFICATE_THUMBPRINT'), get('BOT_CERTIFICATE_PRIVATE_KEY'), problems);
  if (deployed) checkBotIdentity(botId, botType, botTenantId, get('BOT_PASSWORD'), certificate, problems);
  const klinkTenantId = get('KLINK_TENANT_ID') ?? botTenantId;
  if (deployed && klinkTenantId === null) {
    problems.push("KLINK_TENANT_ID is not set: name the Entra tenant (GUID) whose channels may receive this klink workspace's messages");
  }

  const { webhook, generate } = readWebhookAuth(get, !deployed, production, problems);

  const roomUrlTemplate = get('KLINK_ROOM_URL_TEMPLATE') ?? DEFAULT_ROOM_URL_TEMPLATE;
  checkRoomUrlTemplate(roomUrlTemplate, problems);

  const vipTags = (get('KLINK_VIP_TAGS') ?? 'VIP,VVIP')
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  if (vipTags.length === 0) problems.push('KLINK_VIP_TAGS is empty: list the contact tags that mark a VIP, e.g. VIP,VVIP');

  const baseUrl = get('KLINK_API_BASE_URL') ?? 'https://apigw.klinkcx.com/api/v1';
  if (!isHttpUrl(baseUrl)) problems.push(`KLINK_API_BASE_URL "${baseUrl}" is not an http(s) URL`);
  const klinkApiToken = get('KLINK_API_TOKEN');
  // Sent as `Authorization: Bearer <token>`: a header value cannot carry spaces, control or non-ASCII characters.
  if (klinkApiToken !== null && !/^[\x21-\x7e]+$/.test(klinkApiToken)) {
    problems.push(
      'KLINK_API_TOKEN has spaces or characters an HTTP header cannot carry: copy the token again from klink → Settings → API Tokens',
    );
  }

  const contactEnrichment = readContactEnrichment(get, problems);
  const klinkReply = (get('KLINK_REPLY') ?? 'off').toLowerCase();
  if (klinkReply !== 'on' && klinkReply !== 'off') {
    problems.push(
      `KLINK_REPLY "${klinkReply}" is not on or off: on lets Teams users answer klink customers from cards (as the klink workspace)`,
    );
  }

  const publicUrl = get('PUBLIC_URL');
  if (publicUrl !== null && !isHttpUrl(publicUrl)) {
    problems.push(
      `PUBLIC_URL "${publicUrl}" is not an http(s) URL: set it to the bot's public base URL, e.g. https://klink-teams.example.com`,
    );
  }
  if (publicUrl !== null && deployed && isHttpUrl(publicUrl) && new URL(publicUrl).protocol !== 'https:') {
    // Teams calls the bot over https only, and the admin-consent cookie is Secure: over http the
    // browser would not send it back and every consent would be refused.
    problems.push(`PUBLIC_URL "${publicUrl}" is not https: outside local mode set the bot's public https base URL`);
  }
  if (publicUrl === null && deployed) {
    problems.push(
      "PUBLIC_URL is not set: set the bot's public https base URL (admin consent redirects back to it), e.g. https://klink-teams.example.com",
    );
  }
  const dataEncryptionKey = readEncryptionKey(get('DATA_ENCRYPTION_KEY'), !deployed, problems);
  const allowedTenants = list(get('ALLOWED_TENANTS'));
  for (const tenant of allowedTenants) {
    if (!GUID.test(tenant)) problems.push(`ALLOWED_TENANTS contains "${tenant}", which is not a tenant id (GUID)`);
  }

  const logLevel = get('LOG_LEVEL') ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL "${logLevel}" is not one of ${LOG_LEVELS.join(', ')}`);

  const threadWindowHours = readNumber(
    get('THREAD_WINDOW_HOURS'),
    24,
    'THREAD_WINDOW_HOURS',
    'hours a klink room keeps replying in its Teams thread, e.g. 24',
    problems,
  );
  const retentionDays = readNumber(
    get('MESSAGE_RETENTION_DAYS'),
    7,
    'MESSAGE_RETENTION_DAYS',
    'days message text is kept after delivery, e.g. 7',
    problems,
  );

  const httpRequestTimeoutMs = readNumber(
    get('HTTP_REQUEST_TIMEOUT_MS'),
    30_000,
    'HTTP_REQUEST_TIMEOUT_MS',
    'milliseconds a request body may take to arrive, e.g. 30000',
    problems,
  );
  if (httpRequestTimeoutMs > MAX_HTTP_REQUEST_TIMEOUT_MS) {
    problems.push(
      `HTTP_REQUEST_TIMEOUT_MS "${httpRequestTimeoutMs}" is longer than ${MAX_HTTP_REQUEST_TIMEOUT_MS} (10 minutes): set at most that, e.g. 30000`,
    );
  }
  const metricsToken = get('METRICS_TOKEN');
  if (metricsToken !== null && (metricsToken.length < 16 || /\s/.test(metricsToken))) {
    problems.push('METRICS_TOKEN must be at least 16 characters without spaces: generate one with `openssl rand -hex 32`');
  }

  if (problems.length > 0) throw new ConfigError(problems);

  return Object.freeze({
    port,
    host: localMode ? '127.0.0.1' : '0.0.0.0',
    production,
    localMode,
    store,
    role,
    dataDir,
    webhook,
    generateWebhookSecret: generate,
    roomUrlTemplate,
    vipTags,
    klinkApi: { token: klinkApiToken, baseUrl: baseUrl.replace(/\/+$/, '') },
    contactEnrichment,
    klinkReply: klinkReply === 'on' ? 'on' : 'off',
    bot: { id: botId, password: get('BOT_PASSWORD'), certificate, tenantId: botTenantId, type: botType },
    allowedTenants: allowedTenants.map((t) => t.toLowerCase()),
    klinkTenantId: klinkTenantId?.toLowerCase() ?? null,
    dataEncryptionKey,
    publicUrl: publicUrl === null ? null : publicUrl.replace(/\/+$/, ''),
    logLevel,
    threadWindowMs: threadWindowHours * 3_600_000,
    retentionMs: retentionDays * 86_400_000,
    metricsToken,
    httpRequestTimeoutMs,
  });
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The Azure Bot identity must be complete for its type, or every call to Teams fails with 401. */
function checkBotIdentity(
  botId: string | null,
  type: BotType,
  tenantId: string | null,
  password: string | null,
  certificate: BotIdentity['certificate'],
  problems: string[],
): void {
  if (botId !== null && !GUID.test(botId))
    problems.push(`BOT_ID "${botId}" is not a GUID: use the Azure Bot's Microsoft App ID (Entra application (client) id)`);
  if (tenantId !== null && !GUID.test(tenantId))
    problems.push(`BOT_TENANT_ID "${tenantId}" is not a GUID: use the Entra tenant id (Directory id)`);
  if ((type === 'SingleTenant' || type === 'UserAssignedMSI') && tenantId === null) {
    problems.push(`BOT_TENANT_ID is not set: a ${type} bot gets its tokens from its home tenant; set the Entra tenant id`);
  }
  if (type !== 'UserAssignedMSI' && password === null && certificate === null) {
    problems.push(
      "BOT_PASSWORD is not set: set the Entra app's client secret, or use a certificate (BOT_CERTIFICATE_THUMBPRINT and BOT_CERTIFICATE_PRIVATE_KEY)",
    );
  }
  if (type === 'UserAssignedMSI' && (password !== null || certificate !== null)) {
    problems.push('BOT_TYPE=UserAssignedMSI takes no BOT_PASSWORD or certificate: the managed identity is the credential; remove them');
  }
}

function readCertificate(thumbprint: string | null, privateKey: string | null, problems: string[]): BotIdentity['certificate'] {
  if (thumbprint === null && privateKey === null) return null;
  if (thumbprint === null || !/^[0-9a-f]{40}$/i.test(thumbprint)) {
    problems.push("BOT_CERTIFICATE_THUMBPRINT must be the certificate's SHA-1 thumbprint (40 hex characters) when a certificate is used");
  }
  // Key Vault and app settings often carry PEM with literal "\n"; accept both.
  const pem = privateKey?.replace(/\\n/g, '\n') ?? null;
  if (pem === null || !/-----BEGIN (RSA |EC )?PRIVATE KEY-----/.test(pem)) {
    problems.push('BOT_CERTIFICATE_PRIVATE_KEY must be the certificate\'s private key in PEM ("-----BEGIN PRIVATE KEY-----…")');
  }
  return thumbprint !== null && pem !== null ? { thumbprint: thumbprint.toUpperCase(), privateKey: pem } : null;
}

/** DATA_ENCRYPTION_KEY: 32 bytes as base64 or hex; required outside local mode. */
function readEncryptionKey(raw: string | null, localMode: boolean, problems: string[]): Buffer | null {
  const fix = 'generate one with `openssl rand -base64 32` and keep it in Key Vault';
  if (raw === null) {
    if (!localMode) problems.push(`DATA_ENCRYPTION_KEY is not set: ${fix}`);
    return null;
  }
  const key = /^[0-9a-f]{64}$/i.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64');
  if (key.length !== 32) {
    problems.push(`DATA_ENCRYPTION_KEY must be 32 bytes (base64 or 64 hex characters): ${fix}`);
    return null;
  }
  return key;
}

function readContactEnrichment(get: (name: string) => string | null, problems: string[]): Config['contactEnrichment'] {
  const refreshMinutes = readNumber(
    get('KLINK_CONTACT_REFRESH_MINUTES'),
    60,
    'KLINK_CONTACT_REFRESH_MINUTES',
    "minutes after which a contact known only from klink's API is looked up again, e.g. 60",
    problems,
  );
  if (refreshMinutes > MAX_CONTACT_REFRESH_MINUTES) {
    problems.push(
      `KLINK_CONTACT_REFRESH_MINUTES "${refreshMinutes}" is longer than ${MAX_CONTACT_REFRESH_MINUTES} (30 days): set at most that, e.g. 60`,
    );
  }
  const waitMs = readNumber(
    get('KLINK_CONTACT_WAIT_MS'),
    2_000,
    'KLINK_CONTACT_WAIT_MS',
    'milliseconds a message may wait for a contact look-up in klink, e.g. 2000',
    problems,
  );
  if (waitMs > MAX_CONTACT_WAIT_MS) {
    problems.push(`KLINK_CONTACT_WAIT_MS "${waitMs}" is longer than ${MAX_CONTACT_WAIT_MS}: a card should not wait longer, e.g. 2000`);
  }
  return { refreshMs: refreshMinutes * 60_000, waitMs };
}

function readNumber(raw: string | null, fallback: number, name: string, what: string, problems: string[]): number {
  if (raw === null) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    problems.push(`${name} "${raw}" is not a positive number: set the ${what}`);
    return fallback;
  }
  return value;
}

/**
 * The settings the Teams app package is filled from (`npm run package`): only the bot's app id
 * and public URL, so a build machine needs none of the runtime secrets. Checked by the packager.
 */
export function loadPackageConfig(env: Env): { botId: string | null; publicUrl: string | null } {
  const read = (name: string) => env[name]?.trim() || null;
  return { botId: read('BOT_ID'), publicUrl: read('PUBLIC_URL')?.replace(/\/+$/, '') ?? null };
}

function readPort(raw: string | null, problems: string[]): number {
  if (raw === null) return 3978;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    problems.push(`PORT "${raw}" is not a port number: use an integer from 1 to 65535 (default 3978)`);
    return 3978;
  }
  return port;
}

function readWebhookAuth(
  get: (name: string) => string | null,
  localMode: boolean,
  production: boolean,
  problems: string[],
): { webhook: WebhookAuth; generate: boolean } {
  const mode = get('KLINK_WEBHOOK_AUTH') ?? 'signature';
  switch (mode) {
    case 'signature': {
      const secrets = list(get('KLINK_WEBHOOK_SECRET'));
      if (secrets.length === 0 && !localMode) {
        problems.push(
          'KLINK_WEBHOOK_SECRET is empty: copy the signing secret from klink → Settings → Webhooks (several, comma-separated, while rotating)',
        );
      }
      return { webhook: { mode, secrets }, generate: secrets.length === 0 && localMode };
    }
    case 'basic': {
      const user = get('KLINK_WEBHOOK_BASIC_USER');
      const password = get('KLINK_WEBHOOK_BASIC_PASSWORD');
      if (user === null)
        problems.push('KLINK_WEBHOOK_BASIC_USER is empty: set the user name configured for Basic auth in klink → Settings → Webhooks');
      if (password === null)
        problems.push('KLINK_WEBHOOK_BASIC_PASSWORD is empty: set the password configured for Basic auth in klink → Settings → Webhooks');
      return { webhook: { mode, user: user ?? '', password: password ?? '' }, generate: false };
    }
    case 'header': {
      const name = get('KLINK_WEBHOOK_HEADER_NAME');
      const value = get('KLINK_WEBHOOK_HEADER_VALUE');
      if (name === null || !/^[A-Za-z0-9-]+$/.test(name))
        problems.push(
          'KLINK_WEBHOOK_HEADER_NAME must be an HTTP header name (letters, digits, -), as configured in klink → Settings → Webhooks',
        );
      if (value === null)
        problems.push('KLINK_WEBHOOK_HEADER_VALUE is empty: set the header value configured in klink → Settings → Webhooks');
      return { webhook: { mode, name: (name ?? '').toLowerCase(), value: value ?? '' }, generate: false };
    }
    case 'none':
      if (production)
        problems.push('KLINK_WEBHOOK_AUTH=none is refused with NODE_ENV=production: use signature (default), basic or header');
      return { webhook: { mode }, generate: false };
    default:
      problems.push(`KLINK_WEBHOOK_AUTH "${mode}" is not supported: use signature (default), basic, header or none`);
      return { webhook: { mode: 'signature', secrets: [] }, generate: false };
  }
}

function checkRoomUrlTemplate(template: string, problems: string[]): void {
  if (!isHttpUrl(template.replace(/\{[a-zA-Z]+\}/g, 'x'))) {
    problems.push(`KLINK_ROOM_URL_TEMPLATE "${template}" is not an http(s) URL template, e.g. https://app.klink.cloud/inbox/{roomId}`);
    return;
  }
  for (const match of template.matchAll(/\{([^}]*)\}/g)) {
    if (!ROOM_PLACEHOLDERS.includes(match[1])) {
      problems.push(
        `KLINK_ROOM_URL_TEMPLATE uses {${match[1]}}: the placeholders are ${ROOM_PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}`,
      );
    }
  }
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

function list(raw: string | null): string[] {
  return raw === null
    ? []
    : raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
}
