/** Delivery as the HTTP side sees it, whether it runs in this thread or in a worker thread of its own. */
import type { Registry } from 'prom-client';
import type { Delivery } from './create-delivery';

/** Prometheus metrics in prom-client's JSON form (what AggregatorRegistry.aggregate takes). */
export type MetricsJson = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

export interface DeliveryHandle {
  /** Why delivery cannot work right now (Teams rejects the credentials, the thread is restarting), or null. */
  problem(): Promise<string | null>;
  /** Delivery's metrics when they are kept in another thread's registry; null when they share this one. */
  metrics(): Promise<MetricsJson | null>;
  /** Stops delivery, giving turns under way up to `graceMs`; resolves with whether they all finished. */
  stop(graceMs: number): Promise<boolean>;
}

/** Delivery in this thread (tests; PROCESS_ROLE=worker): same registry, direct calls. */
export function inlineDelivery(delivery: Delivery): DeliveryHandle & { start(): Promise<void> } {
  return {
    start: () => delivery.worker.start(),
    problem: async () => delivery.worker.problem,
    metrics: async () => null,
    stop: (graceMs) => delivery.stop(graceMs),
  };
}
