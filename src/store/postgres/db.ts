/** A pool with typed queries and transactions. Every value is a parameter, never part of the SQL. */
import type pg from 'pg';

export class PgDb {
  constructor(readonly pool: pg.Pool) {}

  async rows<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.pool.query<T>(sql, params)).rows;
  }

  async row<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T | undefined> {
    return (await this.pool.query<T>(sql, params)).rows[0];
  }

  async run(sql: string, params: unknown[] = []): Promise<number> {
    return (await this.pool.query(sql, params)).rowCount ?? 0;
  }

  /** Runs `fn` in one transaction on one connection; rolls back if it throws. */
  async transaction<T>(fn: (tx: PgTx) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await fn(new PgTx(client));
      await client.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        // The connection is unusable: the pool closes it instead of handing it out again.
        broken = rollbackError as Error;
      }
      throw err;
    } finally {
      client.release(broken);
    }
  }
}

export class PgTx {
  constructor(readonly client: pg.PoolClient) {}

  async rows<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.client.query<T>(sql, params)).rows;
  }

  async run(sql: string, params: unknown[] = []): Promise<number> {
    return (await this.client.query(sql, params)).rowCount ?? 0;
  }
}
