/**
 * Opens the store DATABASE_URL names: the one factory the server and every operator command use.
 * Each store's driver is loaded only when it is the one in use.
 */
import type { StoreUrl } from '../config-database';
import type { PostgresStoreOptions } from './postgres/postgres-store';
import type { Store } from './store';

export async function openStore(url: StoreUrl, options: PostgresStoreOptions = {}): Promise<Store> {
  if (url.kind === 'sqlite') {
    const { openSqliteStore } = await import('./sqlite/sqlite-store');
    return openSqliteStore(url.file);
  }
  const { openPostgresStore } = await import('./postgres/postgres-store');
  return openPostgresStore(url.settings, options);
}
