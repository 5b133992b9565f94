/** What the HTTP thread and the delivery thread say to each other (src/delivery/delivery-thread.ts, thread-entry.ts). */
import type { Config } from '../config';
import type { MetricsJson } from './delivery-handle';

/** Options for the delivery thread. */
export interface DeliveryOptionsData {
  idleCheckMs?: number;
  claimLeaseMs?: number;
}

/** What the delivery thread starts with: the process's configuration (structured-cloned) and options. */
export interface DeliveryThreadData {
  config: Readonly<Config>;
  options: DeliveryOptionsData;
}

export type ToDeliveryThread = { kind: 'status'; id: number } | { kind: 'stop'; graceMs: number };

export type FromDeliveryThread =
  | { kind: 'ready' }
  | { kind: 'failed'; message: string }
  | { kind: 'status'; id: number; problem: string | null; metrics: MetricsJson }
  | { kind: 'stopped'; finished: boolean };
