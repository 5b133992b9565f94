/**
 * A fresh database per test, on either store: a SQLite file in a temp dir, or a schema of its
 * own in the PostgreSQL on this machine (TEST_POSTGRES_URL, default the local `test` database),
 * so runs never see each other's rows.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { loadConfig } from '../../src/config';
import { openStore } from '../../src/store/open-store';
import type { Store } from '../../src/store/store';
import { makeTempDir } from './temp-dir';

export type StoreKind = 'sqlite' | 'postgres';
export const STORE_KINDS: readonly StoreKind[] = ['sqlite', 'postgres'];

/** The PostgreSQL server tests use; each test database is a schema in it. */
export const POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  kind: StoreKind;
  /** DATABASE_URL for the app and the operator commands. */
  url: string;
  /** A temp dir of this test (the SQLite file is in it; other files may go there too). */
  dir: string;
  /** Opens the store on this database, as the app would. */
  open(): Promise<Store>;
  /** Drops the schema / removes the dir. */
  remove(): Promise<void>;
}

export async function createTestDatabase(kind: StoreKind): Promise<TestDatabase> {
  const temp = makeTempDir();
  let url = `sqlite:${path.join(temp.dir, 'klink-teams.db')}`;
  let drop = async (): Promise<void> => undefined;
  if (kind === 'postgres') {
    const schema = `kt_${randomBytes(6).toString('hex')}`;
    await admin(async (client) => client.query(`CREATE SCHEMA ${schema}`));
    url = postgresUrl(schema);
    drop = async () => {
      await admin((client) => client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
    };
  }
  return {
    kind,
    url,
    dir: temp.dir,
    open: () => openStore(loadConfig({ DATABASE_URL: url }).store),
    remove: async () => {
      await drop();
      temp.remove();
    },
  };
}

/** DATABASE_URL for a schema of the test server. */
export function postgresUrl(schema: string): string {
  return `${POSTGRES_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
}

/** Runs `fn` with a connection to the test server, outside any test schema. */
export async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
