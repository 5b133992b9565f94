/** Prometheus metrics (prom-client), one registry per application instance. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type WebhookResult =
  'stored' | 'duplicate' | 'ignored' | 'unauthorized' | 'bad_request' | 'too_large' | 'unsupported_type' | 'unknown_connection' | 'aborted';
export type DeliveryResult = 'delivered' | 'digested' | 'retry' | 'dead' | 'deactivated' | 'shrunk' | 'throttled';

export interface Metrics {
  registry: Registry;
  webhooks: Counter<'result'>;
  deliveries: Counter<'result'>;
  teamsRequests: Counter<'kind' | 'status'>;
  retries: Counter;
  deadLetters: Counter;
  queueDepth: Gauge;
  /** Where klink_teams_queue_depth is read from at each scrape (the process that delivers sets it). */
  countQueueWith(source: () => Promise<number | null>): void;
  /** Seconds from webhook acknowledgement to the card accepted by Teams. */
  webhookToTeams: Histogram;
  /** Tab API answers, by route pattern (never an id) and HTTP status. */
  tabRequests: Counter<'route' | 'status'>;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  let queueSource: (() => Promise<number | null>) | null = null;
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'klink_teams_' });
  return {
    registry,
    webhooks: new Counter({
      name: 'klink_teams_webhooks_total',
      help: 'klink webhooks received, by result',
      labelNames: ['result'],
      registers: [registry],
    }),
    deliveries: new Counter({
      name: 'klink_teams_deliveries_total',
      help: 'Delivery outcomes, by result',
      labelNames: ['result'],
      registers: [registry],
    }),
    teamsRequests: new Counter({
      name: 'klink_teams_teams_requests_total',
      help: 'Requests sent to the Bot Connector, by kind and HTTP status',
      labelNames: ['kind', 'status'],
      registers: [registry],
    }),
    retries: new Counter({
      name: 'klink_teams_delivery_retries_total',
      help: 'Deliveries scheduled for another attempt',
      registers: [registry],
    }),
    deadLetters: new Counter({
      name: 'klink_teams_dead_letters_total',
      help: 'Deliveries moved to the dead-letter list',
      registers: [registry],
    }),
    // Counted when scraped, so it is current (null from the source: keep the last value).
    queueDepth: new Gauge({
      name: 'klink_teams_queue_depth',
      help: 'Pending deliveries',
      registers: [registry],
      async collect() {
        const depth = queueSource === null ? null : await queueSource();
        if (depth !== null) this.set(depth);
      },
    }),
    countQueueWith: (source) => {
      queueSource = source;
    },
    tabRequests: new Counter({
      name: 'klink_teams_tab_requests_total',
      help: 'klink tab API requests, by route (method and path pattern) and HTTP status',
      labelNames: ['route', 'status'],
      registers: [registry],
    }),
    webhookToTeams: new Histogram({
      name: 'klink_teams_webhook_to_teams_seconds',
      help: 'Time from webhook receipt to the card accepted by Teams',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600],
      registers: [registry],
    }),
  };
}
