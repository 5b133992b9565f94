/**
 * Makes a test database refuse every commit while it can still be read, the way a full disk or
 * a read-only volume does, and undoes it. SQLite: the database file and its write-ahead log get
 * the immutable attribute (`chattr +i`; root bypasses permission bits, not this), so writes fail
 * with SQLITE_IOERR_WRITE. Null where that is not possible here (not root, no chattr).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { promisify } from 'node:util';
import type { TestDatabase } from './test-database';

const run = promisify(execFile);

export interface Unwritable {
  restore(): Promise<void>;
}

export async function makeUnwritable(database: TestDatabase): Promise<Unwritable | null> {
  if (database.kind !== 'sqlite') throw new Error('makeUnwritable: SQLite only here (see makeReadOnlyRole for PostgreSQL)');
  const file = database.url.slice('sqlite:'.length);
  const files = [file, `${file}-wal`].filter((f) => fs.existsSync(f));
  try {
    await run('chattr', ['+i', ...files]);
  } catch (err) {
    process.stderr.write(`makeUnwritable: cannot make ${file} immutable here (${(err as Error).message.split('\n')[0]})\n`);
    return null;
  }
  return { restore: async () => void await run('chattr', ['-i', ...files]) };
}
