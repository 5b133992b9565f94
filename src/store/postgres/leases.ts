/** Named leases in PostgreSQL. */
import type { LeaseStore } from '../leases';
import type { PgDb } from './db';

export class PgLeases implements LeaseStore {
  constructor(private readonly db: PgDb) {}

  async acquireLease(name: string, holder: string, now: number, ttlMs: number): Promise<boolean> {
    const row = await this.db.row(
      `INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, $3::bigint + $4::bigint)
      ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
        WHERE leases.holder = excluded.holder OR leases.expires_at <= $3::bigint
      RETURNING holder`,
      [name, holder, now, ttlMs],
    );
    return row !== undefined;
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    await this.db.run('DELETE FROM leases WHERE name = $1 AND holder = $2', [name, holder]);
  }
}
