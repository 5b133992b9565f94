/**
 * Teams' budget in PostgreSQL (teams_budget_take in migrations.ts). Takes asked for in the same
 * moment — a worker's turns, a fan-out — go to the database together: one round trip and one
 * commit for all of them, in the order asked.
 */
import {
  type BudgetTarget,
  CONVERSATION_WINDOWS,
  IN_FLIGHT_LIMIT_MS,
  IN_FLIGHT_RECHECK_MS,
  type SlotGrant,
  type SlotRefusal,
  TENANT_WINDOWS,
  type TakeOptions,
  type TakenSlot,
  type TeamsBudget,
  span,
} from '../budget';
import { Batcher } from './batcher';
import type { PgDb } from './db';

export const ANSWER_SLOT = 'UPDATE teams_slots SET answered_at = $1 WHERE id = $2 AND answered_at IS NULL';
const LONGEST = Math.max(...[...CONVERSATION_WINDOWS, ...TENANT_WINDOWS].map(span));
const WINDOWS = [
  CONVERSATION_WINDOWS.map((w) => w.limit),
  CONVERSATION_WINDOWS.map(span),
  TENANT_WINDOWS.map((w) => w.limit),
  TENANT_WINDOWS.map(span),
];
interface TakeRow {
  ord: number;
  slot: number | null;
  wait_ms: number;
  blocked_by: SlotRefusal['blockedBy'] | null;
  headroom: number;
  hourly_use: number;
}
interface Take {
  target: BudgetTarget;
  now: number;
  options: TakeOptions;
}

export class PgBudget implements TeamsBudget {
  private readonly takes = new Batcher<Take, SlotGrant | SlotRefusal>((batch) => this.takeAll(batch));

  constructor(private readonly db: PgDb) {}

  take(target: BudgetTarget, now: number, options: TakeOptions = {}): Promise<SlotGrant | SlotRefusal> {
    return this.takes.add({ target, now, options });
  }

  private async takeAll(batch: Take[]): Promise<Array<SlotGrant | SlotRefusal>> {
    // One time for the batch: the latest asked (a take is never judged earlier than asked).
    const now = Math.max(...batch.map((w) => w.now));
    // Tenant ids are GUIDs whose case may differ between the places Teams gives them.
    const rows = await this.db.rows<TakeRow>('SELECT * FROM teams_budget_take($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)', [
      batch.map((w) => w.target.conversationId),
      batch.map((w) => w.target.tenantId.toLowerCase()),
      batch.map((w) => w.options.force ?? false),
      batch.map((w) => w.options.spare?.headroom ?? null),
      batch.map((w) => w.options.spare?.hourlyShare ?? null),
      now,
      now + IN_FLIGHT_LIMIT_MS,
      ...WINDOWS,
      IN_FLIGHT_RECHECK_MS,
    ]);
    const results: Array<SlotGrant | SlotRefusal> = [];
    for (const row of rows) results[row.ord - 1] = toResult(row);
    return results;
  }

  async answered(slot: number, at: number): Promise<void> {
    await this.db.run(ANSWER_SLOT, [at, slot]);
  }

  async prune(now: number): Promise<void> {
    await this.db.run('DELETE FROM teams_slots WHERE COALESCE(answered_at, expires_at) <= $1', [now - LONGEST]);
  }

  async slotsSince(since: number): Promise<TakenSlot[]> {
    const rows = await this.db.rows<{ conversation_id: string; tenant_id: string; taken_at: number; answered_at: number | null }>(
      'SELECT conversation_id, tenant_id, taken_at, answered_at FROM teams_slots WHERE taken_at >= $1 ORDER BY taken_at, id',
      [since],
    );
    return rows.map((r) => ({ conversationId: r.conversation_id, tenantId: r.tenant_id, takenAt: r.taken_at, answeredAt: r.answered_at }));
  }
}

function toResult(row: TakeRow): SlotGrant | SlotRefusal {
  if (row.slot === null) return { granted: false, waitMs: row.wait_ms, blockedBy: row.blocked_by ?? 'conversation' };
  return { granted: true, slot: row.slot, headroom: row.headroom, hourlyUse: row.hourly_use };
}
