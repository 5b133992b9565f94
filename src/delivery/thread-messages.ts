/** What the HTTP thread and the delivery thread say to each other (src/delivery/delivery-thread.ts, thread-entry.ts). */
import type { MetricsJson } from './delivery-handle';

/** Options for the delivery thread; it reads the configuration from the environment itself. */
export interface DeliveryThreadData {
  idleCheckMs?: number;
  claimLeaseMs?: number;
}

export type ToDeliveryThread =
  | { kind: 'status'; id: number }
  | { kind: 'stop'; graceMs: number };

export type FromDeliveryThread =
  | { kind: 'ready' }
  | { kind: 'failed'; message: string }
  | { kind: 'status'; id: number; problem: string | null; metrics: MetricsJson }
  | { kind: 'stopped'; finished: boolean };
