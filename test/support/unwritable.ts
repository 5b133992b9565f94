/**
 * Makes a test database refuse every commit while it can still be read, the way a full disk or
 * a read-only volume does, and undoes it. SQLite: the database file and its write-ahead log get
 * the immutable attribute (`chattr +i`; root bypasses permission bits, not this), so writes fail
 * with SQLITE_IOERR_WRITE. Null where that is not possible here (not root, no chattr).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { promisify } from 'node:util';
import { type TestDatabase, admin } from './test-database';

const run = promisify(execFile);

export interface Unwritable {
  restore(): Promise<void>;
}

export async function makeUnwritable(database: TestDatabase): Promise<Unwritable | null> {
  if (database.kind !== 'sqlite') throw new Error('makeUnwritable: SQLite only here (see postgresRoleFor for PostgreSQL)');
  const file = database.url.slice('sqlite:'.length);
  const files = [file, `${file}-wal`].filter((f) => fs.existsSync(f));
  try {
    await run('chattr', ['+i', ...files]);
  } catch (err) {
    process.stderr.write(`makeUnwritable: cannot make ${file} immutable here (${(err as Error).message.split('\n')[0]})\n`);
    return null;
  }
  return { restore: async () => void (await run('chattr', ['-i', ...files])) };
}

/**
 * PostgreSQL: a role of its own owns the test schema; `readOnly()` makes that role's sessions
 * read-only (`default_transaction_read_only`, what a database switched to read-only or a replica
 * does) and ends its open sessions so the pool reconnects into them; `writable()` undoes it.
 */
export interface PostgresRole {
  url: string;
  readOnly(): Promise<void>;
  writable(): Promise<void>;
  drop(): Promise<void>;
}

export async function postgresRoleFor(database: TestDatabase): Promise<PostgresRole> {
  const schema = /search_path%3D(\w+)/.exec(database.url)?.[1];
  if (database.kind !== 'postgres' || schema === undefined) throw new Error('postgresRoleFor: a PostgreSQL test database is needed');
  const role = `${schema}_app`;
  await admin(async (client) => {
    await client.query(`CREATE ROLE ${role} LOGIN`);
    await client.query(`ALTER SCHEMA ${schema} OWNER TO ${role}`);
  });
  const endSessions = () =>
    admin((client) => client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [role]));
  return {
    url: database.url.replace(/^postgres:\/\/[^@/]+@/, `postgres://${role}@`),
    readOnly: async () => {
      await admin((client) => client.query(`ALTER ROLE ${role} SET default_transaction_read_only = on`));
      await endSessions();
    },
    writable: async () => {
      await admin((client) => client.query(`ALTER ROLE ${role} RESET default_transaction_read_only`));
      await endSessions();
    },
    drop: async () => {
      await endSessions();
      await admin(async (client) => {
        await client.query(`REASSIGN OWNED BY ${role} TO CURRENT_USER`);
        await client.query(`DROP OWNED BY ${role}`);
        await client.query(`DROP ROLE IF EXISTS ${role}`);
      });
    },
  };
}
