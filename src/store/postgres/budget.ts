/** Teams' budget in PostgreSQL: one call of teams_budget_take (see migrations.ts) per request. */
import {
  type BudgetTarget, CONVERSATION_WINDOWS, IN_FLIGHT_LIMIT_MS, IN_FLIGHT_RECHECK_MS, type SlotGrant, type SlotRefusal, TENANT_WINDOWS,
  type TakeOptions, type TakenSlot, type TeamsBudget, span,
} from '../budget';
import type { PgDb } from './db';

export const ANSWER_SLOT = 'UPDATE teams_slots SET answered_at = $1 WHERE id = $2 AND answered_at IS NULL';
const LONGEST = Math.max(...[...CONVERSATION_WINDOWS, ...TENANT_WINDOWS].map(span));
const WINDOWS = [
  CONVERSATION_WINDOWS.map((w) => w.limit), CONVERSATION_WINDOWS.map(span), TENANT_WINDOWS.map((w) => w.limit), TENANT_WINDOWS.map(span),
];

interface TakeRow { slot: number | null; wait_ms: number; blocked_by: SlotRefusal['blockedBy'] | null; headroom: number; hourly_use: number }

export class PgBudget implements TeamsBudget {
  constructor(private readonly db: PgDb) {}

  async take(target: BudgetTarget, now: number, options: TakeOptions = {}): Promise<SlotGrant | SlotRefusal> {
    const row = await this.db.row<TakeRow>('SELECT * FROM teams_budget_take($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)', [
      target.conversationId, target.tenantId, now, now + IN_FLIGHT_LIMIT_MS, options.force ?? false,
      options.spare?.headroom ?? null, options.spare?.hourlyShare ?? null, ...WINDOWS, IN_FLIGHT_RECHECK_MS,
    ]);
    if (!row) throw new Error('teams_budget_take returned no row');
    if (row.slot === null) return { granted: false, waitMs: row.wait_ms, blockedBy: row.blocked_by ?? 'conversation' };
    return { granted: true, slot: row.slot, headroom: row.headroom, hourlyUse: row.hourly_use };
  }

  async answered(slot: number, at: number): Promise<void> {
    await this.db.run(ANSWER_SLOT, [at, slot]);
  }

  async prune(now: number): Promise<void> {
    await this.db.run('DELETE FROM teams_slots WHERE COALESCE(answered_at, expires_at) <= $1', [now - LONGEST]);
  }

  async slotsSince(since: number): Promise<TakenSlot[]> {
    const rows = await this.db.rows<{ conversation_id: string; tenant_id: string; taken_at: number; answered_at: number | null }>(
      'SELECT conversation_id, tenant_id, taken_at, answered_at FROM teams_slots WHERE taken_at >= $1 ORDER BY taken_at, id', [since]);
    return rows.map((r) => ({ conversationId: r.conversation_id, tenantId: r.tenant_id, takenAt: r.taken_at, answeredAt: r.answered_at }));
  }
}
