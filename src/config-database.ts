/**
 * DATABASE_URL and the settings that go with it, read for loadConfig (src/config.ts):
 * `sqlite:<path>` (default `sqlite:data/klink-teams.db`) or `postgres://` / `postgresql://`.
 */
import path from 'node:path';

export interface PostgresSettings {
  host: string;
  port: number;
  database: string;
  user: string;
  /** Null with Entra authentication (a token is the password) or trust/peer authentication. */
  password: string | null;
  /**
   * TLS: `verify` checks the server's certificate and host name (sslmode require, verify-ca,
   * verify-full; a CA file from sslrootcert), `no-verify` encrypts without checking.
   */
  tls: { mode: 'off' } | { mode: 'verify'; caFile: string | null } | { mode: 'no-verify' };
  /** libpq `options` (e.g. `-c search_path=klink`), passed to the server at connect. */
  options: string | null;
  poolMax: number;
  statementTimeoutMs: number;
  connectTimeoutMs: number;
  /** `azure-managed-identity`: an Entra token of the app's managed identity is the password, refreshed before it expires. */
  auth: { kind: 'password' } | { kind: 'azure-managed-identity'; clientId: string | null };
}

export type StoreUrl = { kind: 'sqlite'; file: string } | { kind: 'postgres'; settings: PostgresSettings };

export const DATABASE_VARIABLES = [
  'DATABASE_URL',
  'DATABASE_AUTH',
  'AZURE_CLIENT_ID',
  'DATABASE_POOL_SIZE',
  'DATABASE_STATEMENT_TIMEOUT_MS',
  'WEBSITE_SITE_NAME',
] as const;

const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full', 'no-verify'];
const URL_PARAMETERS = ['sslmode', 'sslrootcert', 'options', 'application_name'];
const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);
const EXAMPLE = 'postgres://klink@db.example.com:5432/klink?sslmode=verify-full';

type Get = (name: string) => string | null;

/** Reads the store settings; every problem goes to `problems`, each with what to change. */
export function readDatabase(get: Get, problems: string[]): StoreUrl {
  const value = get('DATABASE_URL') ?? 'sqlite:data/klink-teams.db';
  if (value.startsWith('sqlite:')) return readSqlite(value, get, problems);
  if (/^postgres(ql)?:\/\//.test(value)) return { kind: 'postgres', settings: readPostgres(value, get, problems) };
  problems.push(`DATABASE_URL must start with sqlite: or postgres:// (got "${value.split(':')[0]}:…")`);
  return { kind: 'sqlite', file: path.resolve('data/klink-teams.db') };
}

function readSqlite(value: string, get: Get, problems: string[]): StoreUrl {
  const name = value.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
  if (name === '') problems.push('DATABASE_URL "sqlite:" names no file: use sqlite:<path>, e.g. sqlite:data/klink-teams.db');
  const file = path.resolve(name || 'data/klink-teams.db');
  // App Service keeps /home on a network share (Azure Files over SMB) and may run several instances.
  if (get('WEBSITE_SITE_NAME') !== null && (file === '/home' || file.startsWith('/home/'))) {
    problems.push(
      `DATABASE_URL puts SQLite at ${file}, on App Service's /home, a network share (Azure Files over SMB): SQLite's WAL mode ` +
        'does not work on a network file system and App Service may run more than one instance. Use PostgreSQL on Azure ' +
        `(DATABASE_URL=${EXAMPLE}); SQLite is for one machine with a local disk`,
    );
  }
  return { kind: 'sqlite', file };
}

function readPostgres(value: string, get: Get, problems: string[]): PostgresSettings {
  const fallback: PostgresSettings = {
    host: '',
    port: 5432,
    database: '',
    user: '',
    password: null,
    tls: { mode: 'off' },
    options: null,
    poolMax: 10,
    statementTimeoutMs: 15_000,
    connectTimeoutMs: 10_000,
    auth: { kind: 'password' },
  };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    problems.push(`DATABASE_URL is not a valid PostgreSQL URL: use ${EXAMPLE}`);
    return fallback;
  }
  const decode = (text: string) => decodeURIComponent(text);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const database = decode(url.pathname.replace(/^\//, ''));
  const user = decode(url.username);
  if (host === '') problems.push(`DATABASE_URL names no host: use ${EXAMPLE}`);
  if (database === '') problems.push(`DATABASE_URL names no database (the path after the host): use ${EXAMPLE}`);
  if (user === '') problems.push(`DATABASE_URL names no user (before the @): use ${EXAMPLE}`);
  const port = url.port === '' ? 5432 : Number(url.port);

  for (const key of url.searchParams.keys()) {
    if (!URL_PARAMETERS.includes(key))
      problems.push(`DATABASE_URL has "${key}=", which is not used: the parameters are ${URL_PARAMETERS.join(', ')}`);
  }
  const sslmode = url.searchParams.get('sslmode') ?? (LOOPBACK.has(host) ? 'disable' : 'verify-full');
  const caFile = url.searchParams.get('sslrootcert');
  let tls: PostgresSettings['tls'] = { mode: 'verify', caFile };
  if (!SSL_MODES.includes(sslmode)) {
    problems.push(
      `DATABASE_URL sslmode "${sslmode}" is not supported: use verify-full (default away from localhost), require, no-verify or disable`,
    );
  } else if (sslmode === 'disable') {
    tls = { mode: 'off' };
  } else if (sslmode === 'no-verify') {
    tls = { mode: 'no-verify' };
  } else if (sslmode === 'allow' || sslmode === 'prefer') {
    problems.push(
      `DATABASE_URL sslmode=${sslmode} may fall back to an unencrypted connection: use verify-full, or disable on a trusted local network`,
    );
  }

  const authName = get('DATABASE_AUTH') ?? 'password';
  let auth: PostgresSettings['auth'] = { kind: 'password' };
  if (authName === 'azure-managed-identity') {
    auth = { kind: 'azure-managed-identity', clientId: get('AZURE_CLIENT_ID') };
    if (url.password !== '')
      problems.push(
        'DATABASE_URL carries a password, but DATABASE_AUTH=azure-managed-identity uses an Entra token instead: remove the password',
      );
    if (tls.mode === 'off')
      problems.push('DATABASE_AUTH=azure-managed-identity sends an Entra token as the password: use TLS (sslmode=verify-full)');
  } else if (authName !== 'password') {
    problems.push(`DATABASE_AUTH "${authName}" is not supported: use password (the default, in DATABASE_URL) or azure-managed-identity`);
  }

  return {
    host,
    port,
    database,
    user,
    password: url.password === '' ? null : decode(url.password),
    tls,
    options: url.searchParams.get('options'),
    poolMax: readInteger(
      get('DATABASE_POOL_SIZE'),
      10,
      'DATABASE_POOL_SIZE',
      'connections each process may open, e.g. 10',
      1,
      100,
      problems,
    ),
    statementTimeoutMs: readInteger(
      get('DATABASE_STATEMENT_TIMEOUT_MS'),
      15_000,
      'DATABASE_STATEMENT_TIMEOUT_MS',
      'longest a statement may run, in milliseconds, e.g. 15000',
      100,
      600_000,
      problems,
    ),
    connectTimeoutMs: 10_000,
    auth,
  };
}

function readInteger(
  raw: string | null,
  fallback: number,
  name: string,
  what: string,
  min: number,
  max: number,
  problems: string[],
): number {
  if (raw === null) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    problems.push(`${name} "${raw}" is not a whole number from ${min} to ${max}: set the ${what}`);
    return fallback;
  }
  return value;
}

/** Where the store is, for logs and errors: never the password. */
export function describeStore(store: StoreUrl): string {
  return store.kind === 'sqlite'
    ? `SQLite ${store.file}`
    : `PostgreSQL ${store.settings.host}:${store.settings.port}/${store.settings.database}`;
}
