/**
 * The store, one interface per concern. Callers depend on the concern they use
 * (`Pick<Store, 'deliveries'>`, or the concern's interface itself). SQLite is the embedded
 * default; PostgreSQL serves several instances. Both pass one contract suite (test/contract).
 */
import type { ConversationStore } from './conversations';
import type { DeliveryQueue } from './deliveries';
import type { EventStore } from './events';
import type { TeamsRequestLog } from './requests';
import type { TenantStore } from './tenants';
import type { ThreadStore } from './threads';

export type * from './conversations';
export type * from './deliveries';
export type * from './events';
export type * from './requests';
export type * from './tenants';
export type * from './threads';

export interface Store {
  events: EventStore;
  conversations: ConversationStore;
  deliveries: DeliveryQueue;
  threads: ThreadStore;
  requests: TeamsRequestLog;
  tenants: TenantStore;
  /** The store can be read (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
