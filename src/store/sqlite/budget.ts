/** Teams' budget in SQLite: slots in one table, counted per window inside one write transaction. */
import {
  type BudgetTarget,
  CONVERSATION_WINDOWS,
  IN_FLIGHT_LIMIT_MS,
  type RateWindow,
  type SlotGrant,
  type SlotRefusal,
  TENANT_WINDOWS,
  type TakeOptions,
  type TakenSlot,
  type TeamsBudget,
  type WindowState,
  longWindowUse,
  span,
  windowHeadroom,
  windowWait,
} from '../budget';
import type { SqliteDb } from './database';

export const ANSWER_SLOT = 'UPDATE teams_slots SET answered_at = ? WHERE id = ? AND answered_at IS NULL';
const LONGEST = Math.max(...[...CONVERSATION_WINDOWS, ...TENANT_WINDOWS].map(span));

export class SqliteBudget implements TeamsBudget {
  constructor(private readonly db: SqliteDb) {}

  async take(target: BudgetTarget, now: number, options: TakeOptions = {}): Promise<SlotGrant | SlotRefusal> {
    // Tenant ids are GUIDs whose case may differ between the places Teams gives them.
    const tenantId = target.tenantId.toLowerCase();
    return this.db.transaction(() => {
      const paused =
        (
          this.db.stmt('SELECT paused_until FROM conversations WHERE id = ?').get(target.conversationId) as
            { paused_until: number | null } | undefined
        )?.paused_until ?? null;
      if (!options.force && paused !== null && paused > now) return { granted: false, waitMs: paused - now, blockedBy: 'paused' };
      const conversation = this.windows('conversation_id', target.conversationId, CONVERSATION_WINDOWS, now);
      const tenant = this.windows('tenant_id', tenantId, TENANT_WINDOWS, now);
      if (!options.force) {
        const conversationWait = conversation.wait();
        const tenantWait = tenant.wait();
        if (conversationWait > 0 || tenantWait > 0) {
          return {
            granted: false,
            waitMs: Math.max(conversationWait, tenantWait),
            blockedBy: tenantWait >= conversationWait ? 'tenant' : 'conversation',
          };
        }
      }
      const headroom = windowHeadroom(CONVERSATION_WINDOWS, conversation.state);
      const hourlyUse = longWindowUse(CONVERSATION_WINDOWS, conversation.state);
      if (options.spare && (headroom < options.spare.headroom || hourlyUse >= options.spare.hourlyShare)) {
        return { granted: false, waitMs: 0, blockedBy: 'spare' };
      }
      const slot = Number(
        this.db
          .stmt('INSERT INTO teams_slots (conversation_id, tenant_id, taken_at, expires_at) VALUES (?, ?, ?, ?)')
          .run(target.conversationId, tenantId, now, now + IN_FLIGHT_LIMIT_MS).lastInsertRowid,
      );
      return { granted: true, slot, headroom: headroom - 1, hourlyUse };
    });
  }

  /** The counts of one conversation's or tenant's windows at `now`, and its wait. */
  private windows(column: 'conversation_id' | 'tenant_id', key: string, windows: readonly RateWindow[], now: number) {
    const sums = windows.map((w, i) => `SUM(NOT in_flight AND t > @now - ${span(w)}) AS a${i}`).join(', ');
    const longest = Math.max(...windows.map(span));
    const recent = `SELECT COALESCE(answered_at, expires_at) AS t, (answered_at IS NULL AND expires_at > @now) AS in_flight
      FROM teams_slots WHERE ${column} = @key AND COALESCE(answered_at, expires_at) > @now - ${longest}`;
    const row = this.db.stmt(`SELECT COALESCE(SUM(in_flight), 0) AS in_flight, ${sums} FROM (${recent})`).get({ key, now }) as Record<
      string,
      number | null
    >;
    const state: WindowState = { inFlight: row.in_flight ?? 0, answered: windows.map((_, i) => row[`a${i}`] ?? 0) };
    const kthNewest = (k: number): number =>
      (
        this.db
          .stmt(`SELECT t FROM (${recent}) WHERE NOT in_flight ORDER BY t DESC LIMIT 1 OFFSET @offset`)
          .get({ key, now, offset: k - 1 }) as { t: number }
      ).t;
    return { state, wait: () => windowWait(windows, state, now, kthNewest) };
  }

  async answered(slot: number, at: number): Promise<void> {
    this.db.stmt(ANSWER_SLOT).run(at, slot);
  }

  async prune(now: number): Promise<void> {
    this.db.stmt('DELETE FROM teams_slots WHERE COALESCE(answered_at, expires_at) <= ?').run(now - LONGEST);
  }

  async slotsSince(since: number): Promise<TakenSlot[]> {
    const rows = this.db
      .stmt('SELECT conversation_id, tenant_id, taken_at, answered_at FROM teams_slots WHERE taken_at >= ? ORDER BY taken_at, id')
      .all(since) as Array<{ conversation_id: string; tenant_id: string; taken_at: number; answered_at: number | null }>;
    return rows.map((r) => ({ conversationId: r.conversation_id, tenantId: r.tenant_id, takenAt: r.taken_at, answeredAt: r.answered_at }));
  }
}
