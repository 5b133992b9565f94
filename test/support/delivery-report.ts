/** What became of klink messages, read through the store: for crash and scale-out tests. */
import type { ListedDelivery, Store } from '../../src/store/store';

export interface DeliveryReport {
  /** Events found for the klink ids asked about. */
  stored: number;
  /** Events without a delivered delivery to each of the expected conversations. */
  undelivered: string[];
  /** Teams activity ids the deliveries point at. */
  activityIds: Set<string>;
  deliveries: ListedDelivery[];
}

/** Reads the events with these klink ids and their deliveries; each should reach `conversations` conversations. */
export async function deliveryReport(store: Store, dataIds: readonly string[], conversations: number): Promise<DeliveryReport> {
  const events = await store.events.findEvents(dataIds);
  const deliveries = events.length === 0 ? [] : await store.deliveries.listDeliveries({ eventIds: events.map((e) => e.id) }, 1_000_000);
  const delivered = new Map<number, number>();
  for (const d of deliveries) if (d.state === 'delivered') delivered.set(d.eventId, (delivered.get(d.eventId) ?? 0) + 1);
  return {
    stored: events.length,
    undelivered: events.filter((e) => (delivered.get(e.id) ?? 0) !== conversations).map((e) => e.dataId),
    activityIds: new Set(deliveries.flatMap((d) => (d.activityId === null ? [] : [d.activityId]))),
    deliveries,
  };
}
