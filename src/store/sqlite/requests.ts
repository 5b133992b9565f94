/** The Teams request log in SQLite. */
import type { TeamsRequestLog, TeamsRequestRecord } from '../requests';
import type { SqliteDb } from './database';
import { INSERT_REQUEST } from './deliveries';

export class SqliteRequests implements TeamsRequestLog {
  constructor(private readonly db: SqliteDb) {}

  async teamsRequestsSince(since: number): Promise<TeamsRequestRecord[]> {
    const rows = this.db.stmt('SELECT conversation_id, tenant_id, at FROM teams_requests WHERE at >= ? ORDER BY at, id').all(since) as
      Array<{ conversation_id: string; tenant_id: string; at: number }>;
    return rows.map((r) => ({ conversationId: r.conversation_id, tenantId: r.tenant_id, at: r.at }));
  }

  async recordTeamsRequest(record: TeamsRequestRecord): Promise<void> {
    this.db.stmt(INSERT_REQUEST).run(record.conversationId, record.tenantId, record.at);
  }

  async pruneTeamsRequests(before: number): Promise<void> {
    this.db.stmt('DELETE FROM teams_requests WHERE at < ?').run(before);
  }
}
