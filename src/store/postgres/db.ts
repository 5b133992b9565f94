/**
 * A pool with typed queries and transactions. Every value is a parameter, never part of the SQL.
 * Statements with parameters are prepared once per connection (named after their text), so the
 * server plans each only once: planning the delivery queue's joins costs more than running them.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';

const names = new Map<string, string>();

/** The statement as node-postgres runs it: named (prepared) when it takes parameters. */
function statement(text: string, values: unknown[]): pg.QueryConfig {
  if (values.length === 0) return { text };
  let name = names.get(text);
  if (name === undefined) names.set(text, (name = `k${createHash('sha1').update(text).digest('hex').slice(0, 20)}`));
  return { name, text, values };
}

/** What runs a statement: the pool (each statement its own transaction) or a transaction. */
export interface Queryable {
  rows<T extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<T[]>;
  run(sql: string, params?: unknown[]): Promise<number>;
}

export class PgDb implements Queryable {
  constructor(readonly pool: pg.Pool) {}

  async rows<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.pool.query<T>(statement(sql, params))).rows;
  }

  async row<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T | undefined> {
    return (await this.pool.query<T>(statement(sql, params))).rows[0];
  }

  async run(sql: string, params: unknown[] = []): Promise<number> {
    return (await this.pool.query(statement(sql, params))).rowCount ?? 0;
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

export class PgTx implements Queryable {
  constructor(readonly client: pg.PoolClient) {}

  async rows<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.client.query<T>(statement(sql, params))).rows;
  }

  async run(sql: string, params: unknown[] = []): Promise<number> {
    return (await this.client.query(statement(sql, params))).rowCount ?? 0;
  }
}
