/**
 * Opens the store DATABASE_URL names: the one factory the server and every operator command use.
 * Each store's driver is loaded (required) only when it is the one in use.
 */
import type { StoreUrl } from '../config-database';
import type { PostgresStoreOptions } from './postgres/postgres-store';
import type { Store } from './store';

export async function openStore(url: StoreUrl, options: PostgresStoreOptions = {}): Promise<Store> {
  if (url.kind === 'sqlite') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- require, not import(): run from source, the delivery thread loads TypeScript through tsx's require hook only
    const { openSqliteStore } = require('./sqlite/sqlite-store') as typeof import('./sqlite/sqlite-store');
    return openSqliteStore(url.file);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- require, not import(): run from source, the delivery thread loads TypeScript through tsx's require hook only
  const { openPostgresStore } = require('./postgres/postgres-store') as typeof import('./postgres/postgres-store');
  return openPostgresStore(url.settings, options);
}
