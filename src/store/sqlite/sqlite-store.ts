/**
 * The embedded SQLite store (better-sqlite3 12.x, WAL), for one machine with a local disk: the
 * web and delivery threads of one process (or a few processes on that machine) share the file.
 * SQLite's WAL mode does not work on a network file system (Azure App Service's /home is one).
 *
 * Two connections: webhooks are committed on one with `synchronous = FULL` (each commit is on
 * disk before the 200); everything else runs on one with `synchronous = NORMAL`, which survives a
 * killed process but may lose its last commits in a power cut — then a card is sent again
 * (at-least-once), never lost. A FULL commit also makes every earlier NORMAL commit durable,
 * since they share one write-ahead log.
 */
import fs from 'node:fs';
import path from 'node:path';
import { BroadcastChannel } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { StoreOpenError } from '../errors';
import type { Store } from '../store';
import { SqliteBudget } from './budget';
import { SqliteContacts } from './contacts';
import { SqliteConversations } from './conversations';
import { SqliteDb } from './database';
import { SqliteDeliveries } from './deliveries';
import { SqliteEvents } from './events';
import { SqliteLeases } from './leases';
import { migrate } from './migrations';
import { SqliteReplies } from './replies';
import { SqliteTenants } from './tenants';
import { SqliteThreads } from './threads';

/** Opens (creating if needed) the database file and applies pending migrations. */
export function openSqliteStore(file: string): Store {
  let db: SqliteDb;
  let ingest: SqliteDb;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const open = (synchronous: 'FULL' | 'NORMAL') => {
      const connection = new Database(file);
      connection.pragma('journal_mode = WAL');
      connection.pragma(`synchronous = ${synchronous}`);
      connection.pragma('foreign_keys = ON');
      connection.pragma('busy_timeout = 5000');
      return new SqliteDb(connection);
    };
    db = open('NORMAL');
    migrate(db);
    ingest = open('FULL');
  } catch (err) {
    if (err instanceof StoreOpenError) throw err;
    throw new StoreOpenError(`cannot open the SQLite database ${file}: ${(err as Error).message}`, { cause: err });
  }
  // Threads of this process that use the same file hear each other through this channel.
  const channelName = `klink-teams:${path.resolve(file)}`;
  const signals = new BroadcastChannel(channelName);
  signals.unref();
  const signal = () => signals.postMessage('work');
  const events = new SqliteEvents(db, ingest, signal);
  return {
    description: `sqlite ${file}`,
    events,
    contacts: new SqliteContacts(db),
    conversations: new SqliteConversations(db),
    deliveries: new SqliteDeliveries(db, signal),
    threads: new SqliteThreads(db),
    budget: new SqliteBudget(db),
    leases: new SqliteLeases(db),
    tenants: new SqliteTenants(db),
    replies: new SqliteReplies(db),
    watch: async (listener) => {
      const channel = new BroadcastChannel(channelName);
      channel.onmessage = () => listener();
      return async () => channel.close();
    },
    rowCounts: async () => {
      const tables = db
        .stmt("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .all() as Array<{ name: string }>;
      return Object.fromEntries(
        tables.map(({ name }) => [name, (db.stmt(`SELECT COUNT(*) AS n FROM "${name}"`).get() as { n: number }).n]),
      );
    },
    ping: async () => {
      db.stmt('SELECT 1').get();
    },
    close: async () => {
      events.commitPending();
      signals.close();
      db.close();
      ingest.close();
    },
  };
}
