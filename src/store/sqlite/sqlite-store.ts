/**
 * The embedded SQLite store (better-sqlite3 12.x, WAL), for a single machine with a local disk.
 *
 * Two connections: webhooks are committed on one with `synchronous = FULL` (each commit is on
 * disk before the 200); everything else runs on one with `synchronous = NORMAL`, which survives a
 * killed process but may lose its last commits in a power cut — then a card is sent again
 * (at-least-once), never lost. A FULL commit also makes every earlier NORMAL commit durable,
 * since they share one write-ahead log.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Store } from '../store';
import { SqliteConversations } from './conversations';
import { SqliteDb } from './database';
import { SqliteDeliveries } from './deliveries';
import { SqliteEvents } from './events';
import { migrate } from './migrations';
import { SqliteRequests } from './requests';
import { SqliteTenants } from './tenants';
import { SqliteThreads } from './threads';

/** Opens (creating if needed) the database file and applies pending migrations. */
export function openSqliteStore(file: string): Store {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const open = (synchronous: 'FULL' | 'NORMAL') => {
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${synchronous}`);
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    return new SqliteDb(db);
  };
  const db = open('NORMAL');
  migrate(db);
  const ingest = open('FULL');
  const events = new SqliteEvents(db, ingest);
  return {
    events,
    conversations: new SqliteConversations(db),
    deliveries: new SqliteDeliveries(db),
    threads: new SqliteThreads(db),
    requests: new SqliteRequests(db),
    tenants: new SqliteTenants(db),
    ping: async () => {
      db.stmt('SELECT 1').get();
    },
    close: async () => {
      events.commitPending();
      db.close();
      ingest.close();
    },
  };
}
