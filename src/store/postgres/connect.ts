/**
 * The node-postgres pool for the settings in DATABASE_URL: bounded, with statement timeouts,
 * TLS as sslmode says, 64-bit integers as numbers (epoch milliseconds fit), and — with
 * DATABASE_AUTH=azure-managed-identity — an Entra token of the app's managed identity as the
 * password of each new connection, fetched again before it expires.
 */
import fs from 'node:fs';
import pg from 'pg';
import type { PostgresSettings } from '../../config-database';
import { type TokenSource, managedIdentityToken } from './entra-token';

/** OIDs of int8 (bigint, count(*)) and numeric (sum of integers). */
const INT8 = 20;
const NUMERIC = 1700;

const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary'): unknown => {
    if (oid === INT8 || oid === NUMERIC) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  }) as typeof pg.types.getTypeParser,
};

export interface ConnectOptions {
  /** Where an Entra token comes from (tests point it at a local identity endpoint). */
  tokens?: TokenSource;
  /** Server settings for every connection (`-c name=value …`), added to DATABASE_URL's options. */
  serverOptions?: string;
}

/** Where the passwords of new connections come from with Entra authentication; null with a password in DATABASE_URL. */
export function tokenSource(settings: PostgresSettings, options: ConnectOptions = {}): TokenSource | null {
  return settings.auth.kind === 'azure-managed-identity' ? (options.tokens ?? managedIdentityToken(settings.auth.clientId)) : null;
}

/** The connection settings of one client (pool or LISTEN connection); `tokens` from tokenSource. */
export function clientConfig(settings: PostgresSettings, tokens: TokenSource | null, serverOptions?: string): pg.ClientConfig {
  const { tls } = settings;
  return {
    host: settings.host,
    port: settings.port,
    database: settings.database,
    user: settings.user,
    password: tokens ? () => tokens.token() : (settings.password ?? undefined),
    ssl:
      tls.mode === 'off'
        ? false
        : tls.mode === 'no-verify'
          ? { rejectUnauthorized: false }
          : { rejectUnauthorized: true, ...(tls.caFile ? { ca: fs.readFileSync(tls.caFile, 'utf8') } : {}) },
    options: [settings.options, serverOptions].filter((o) => o).join(' ') || undefined,
    application_name: 'klink-teams',
    statement_timeout: settings.statementTimeoutMs,
    idle_in_transaction_session_timeout: Math.max(settings.statementTimeoutMs * 2, 30_000),
    connectionTimeoutMillis: settings.connectTimeoutMs,
    // TCP keepalive after 30 s idle (the OS default is 2 hours): a connection dropped silently by
    // a load balancer or NAT — the LISTEN connection is idle most of the time — is noticed in time.
    keepAlive: true,
    keepAliveInitialDelayMillis: 30_000,
    types,
  };
}

export function createPool(settings: PostgresSettings, tokens: TokenSource | null, serverOptions?: string): pg.Pool {
  return new pg.Pool({ ...clientConfig(settings, tokens, serverOptions), max: settings.poolMax, idleTimeoutMillis: 30_000 });
}
