/**
 * The store, one interface per concern. Callers depend on the concern they use
 * (`Pick<Store, 'deliveries'>`, or the concern's interface itself). SQLite is the embedded
 * default for one machine; PostgreSQL serves several instances. Both pass one contract suite
 * (test/integration/store-contract.test.ts).
 */
import type { TeamsBudget } from './budget';
import type { ContactStore } from './contacts';
import type { ConversationStore } from './conversations';
import type { DeliveryQueue } from './deliveries';
import type { EventStore } from './events';
import type { LeaseStore } from './leases';
import type { ReplyStore } from './replies';
import type { TenantStore } from './tenants';
import type { ThreadStore } from './threads';

export type * from './budget';
export type * from './contacts';
export type * from './conversations';
export type * from './deliveries';
export type * from './events';
export type * from './leases';
export type * from './replies';
export type * from './tenants';
export type * from './threads';

export interface Store {
  /** What the store is, for logs and operators (`sqlite /path/file.db`, `postgres host/db`). */
  readonly description: string;
  events: EventStore;
  contacts: ContactStore;
  conversations: ConversationStore;
  deliveries: DeliveryQueue;
  threads: ThreadStore;
  budget: TeamsBudget;
  leases: LeaseStore;
  tenants: TenantStore;
  replies: ReplyStore;
  /**
   * Calls `listener` whenever new work may be due: a message event was committed, events were
   * dispatched, dead deliveries were re-queued. PostgreSQL: by any process on the same database
   * (LISTEN/NOTIFY). SQLite: by any thread of this process (a BroadcastChannel); what another
   * process writes to the file (an operator command) is found at the next idle check. Returns
   * how to stop.
   */
  watch(listener: () => void): Promise<() => Promise<void>>;
  /** Rows per table: what an operator checks first, and what tests use to prove nothing was stored. */
  rowCounts(): Promise<Record<string, number>>;
  /** The store can be read (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
