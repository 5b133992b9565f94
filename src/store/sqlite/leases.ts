/** Named leases in SQLite. */
import type { LeaseStore } from '../leases';
import type { SqliteDb } from './database';

export class SqliteLeases implements LeaseStore {
  constructor(private readonly db: SqliteDb) {}

  async acquireLease(name: string, holder: string, now: number, ttlMs: number): Promise<boolean> {
    // all(), not get(): get() stops after the first row, and a commit that then fails (full disk,
    // read-only file) would go unreported while the lease was taken for held.
    const rows = this.db
      .stmt(
        `INSERT INTO leases (name, holder, expires_at) VALUES (@name, @holder, @until)
      ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
        WHERE leases.holder = excluded.holder OR leases.expires_at <= @now
      RETURNING holder`,
      )
      .all({ name, holder, until: now + ttlMs, now });
    return rows.length > 0;
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    this.db.stmt('DELETE FROM leases WHERE name = ? AND holder = ?').run(name, holder);
  }
}
