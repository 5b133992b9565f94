/**
 * The PostgreSQL store, for several instances behind a load balancer: the same contract as the
 * SQLite store (test/integration/store-contract.test.ts), with claims taken with SKIP LOCKED,
 * Teams' budget computed in the database, and LISTEN/NOTIFY to tell every instance of new work.
 */
import type { PostgresSettings } from '../../config-database';
import { StoreOpenError } from '../errors';
import type { Store } from '../store';
import { PgBudget } from './budget';
import { type ConnectOptions, clientConfig, createPool, tokenSource } from './connect';
import { PgContacts } from './contacts';
import { PgConversations } from './conversations';
import { PgDb } from './db';
import { PgDeliveries } from './deliveries';
import { PgEvents } from './events';
import { PgLeases } from './leases';
import { listen } from './listen';
import { migrate } from './migrations';
import { PgReplies } from './replies';
import { PgTenants } from './tenants';
import { PgThreads } from './threads';

export interface PostgresStoreOptions extends ConnectOptions {
  /** Errors of idle pool connections and of the LISTEN connection (logged; the store carries on). */
  onError?: (err: Error) => void;
  /**
   * false: commits do not wait for the server's disk (synchronous_commit = off). For delivery
   * only: a server crash may then lose its last commits, and a card is sent again (at-least-once),
   * as SQLite's synchronous = NORMAL does. Webhooks are always committed durably before the 200.
   */
  durableCommits?: boolean;
}

/** Connects, migrates the schema forward (or refuses a newer one) and returns the store. */
export async function openPostgresStore(settings: PostgresSettings, options: PostgresStoreOptions = {}): Promise<Store> {
  const where = `${settings.host}:${settings.port}/${settings.database}`;
  const onError = options.onError ?? (() => undefined);
  // One source for every connection, so they share a token until it is due for renewal.
  const tokens = tokenSource(settings, options);
  const pool = createPool(settings, tokens, options.durableCommits === false ? '-c synchronous_commit=off' : undefined);
  pool.on('error', onError);
  const db = new PgDb(pool);
  let channel: string;
  try {
    const row = await db.row<{ schema: string | null }>('SELECT current_schema() AS schema');
    await migrate(db);
    channel = `klink-teams:${row?.schema ?? 'public'}`.slice(0, 63);
  } catch (err) {
    await pool.end();
    if (err instanceof StoreOpenError) {
      err.message = `PostgreSQL at ${where}: ${err.message}`;
      throw err;
    }
    throw new StoreOpenError(`cannot use PostgreSQL at ${where}: ${reason(err)}`, { cause: err });
  }
  const events = new PgEvents(db, channel);
  return {
    description: `postgres ${where}`,
    events,
    contacts: new PgContacts(db),
    conversations: new PgConversations(db),
    deliveries: new PgDeliveries(db, channel),
    threads: new PgThreads(db),
    budget: new PgBudget(db),
    leases: new PgLeases(db),
    tenants: new PgTenants(db),
    replies: new PgReplies(db),
    watch: (listener) => listen(clientConfig(settings, tokens), channel, listener, onError),
    rowCounts: async () => {
      const tables = await db.rows<{ name: string }>(
        `SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename`,
      );
      const counts: Record<string, number> = {};
      for (const { name } of tables)
        counts[name] = (await db.row<{ n: number }>(`SELECT COUNT(*) AS n FROM ${pgIdentifier(name)}`))?.n ?? 0;
      return counts;
    },
    ping: async () => {
      await db.run('SELECT 1');
    },
    close: async () => {
      await events.commitPending();
      await pool.end();
    },
  };
}

/** A table name from the catalogue, quoted as an identifier. */
function pgIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Why a connection or query failed, in the server's or the network's words (never the password). */
function reason(err: unknown): string {
  const e = err as { code?: string; message?: string };
  const text = e.message && e.message !== '' ? e.message : 'no reason given';
  return e.code && !text.includes(e.code) ? `${text} (${e.code})` : text;
}
