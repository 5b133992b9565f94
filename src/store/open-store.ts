/** Opens the store DATABASE_URL names: the one factory the server and every operator command use. */
import type { StoreUrl } from '../config-database';
import { type PostgresStoreOptions, openPostgresStore } from './postgres/postgres-store';
import { openSqliteStore } from './sqlite/sqlite-store';
import type { Store } from './store';

export async function openStore(url: StoreUrl, options: PostgresStoreOptions = {}): Promise<Store> {
  return url.kind === 'sqlite' ? openSqliteStore(url.file) : openPostgresStore(url.settings, options);
}
