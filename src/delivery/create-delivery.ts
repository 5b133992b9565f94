/** Builds a delivery worker from the configuration: the Bot Connector client, the sender and the loop. */
import type { Config } from '../config';
import { klinkApiSourceFromConfig } from '../klink/api-source';
import { connectionTenants } from '../klink/connections';
import { replyPolicy } from '../klink/reply-policy';
import type { Logger } from '../log';
import type { Metrics } from '../metrics';
import type { Store } from '../store/store';
import { BotConnectorClient } from '../teams/connector-client';
import { ConnectorSender } from '../teams/connector-sender';
import { createTokenSource } from '../teams/token-source';
import { ContactEnricher } from './contact-enricher';
import { ContactLookups } from './contact-lookups';
import { DeliveryWorker } from './delivery-worker';
import { LookupHealth } from './lookup-health';
import { workerName } from './worker-name';

/** A request to Teams that takes longer than this is abandoned and retried. */
export const TEAMS_TIMEOUT_MS = 15_000;

export interface DeliveryOptions {
  now?: () => number;
  random?: () => number;
  idleCheckMs?: number;
  claimLeaseMs?: number;
}

export interface Delivery {
  worker: DeliveryWorker;
  /** Stops the loop (waiting up to `graceMs` for turns under way) and closes connections to Teams. */
  stop(graceMs: number): Promise<boolean>;
}

export function createDelivery(
  config: Readonly<Config>,
  log: Logger,
  store: Store,
  metrics: Metrics,
  options: DeliveryOptions = {},
): Delivery {
  const connector = new BotConnectorClient({ tokens: createTokenSource(config), timeoutMs: TEAMS_TIMEOUT_MS, allowHttp: config.localMode });
  const now = options.now ?? Date.now;
  // Filled in below: a finished look-up or an ended wait asks the worker for another pass.
  let wake = (): void => undefined;
  const health = new LookupHealth(log);
  const { waitMs, refreshMs } = config.contactEnrichment;
  const lookups = new ContactLookups({
    store,
    log,
    now,
    lookups: metrics.contactLookups,
    health,
    waitMs,
    onSettled: () => wake(),
  });
  // The API client warns at each retry: during an outage a line per message. Enrichment says it
  // once per outage (lookup-health.ts), so the client's retries show only when debugging.
  // One source (one client per klink connection) for everything this worker asks of klink.
  const apiSource = klinkApiSourceFromConfig(config, log.isLevelEnabled('debug') ? log : log.child({}, { level: 'error' }), {
    connections: store.tenants,
  });
  const klinkApi = apiSource;
  const enricher = new ContactEnricher({ store, apiSource, lookups, health, now, refreshMs, waitMs, wake: () => wake() });
  const worker = new DeliveryWorker({
    store,
    log,
    metrics,
    now,
    random: options.random ?? Math.random,
    sender: new ConnectorSender(connector),
    connectionTenant: connectionTenants(store, config),
    enricher,
    settings: { vipTags: config.vipTags, roomUrlTemplate: config.roomUrlTemplate },
    replies: replyPolicy(klinkApi, config),
    threadWindowMs: config.threadWindowMs,
    retentionMs: config.retentionMs,
    idleCheckMs: options.idleCheckMs,
    claimLeaseMs: options.claimLeaseMs,
    requestTimeoutMs: TEAMS_TIMEOUT_MS,
    holder: workerName(),
  });
  wake = () => worker.kick();
  metrics.countQueueWith(async () => {
    try {
      return await store.deliveries.countPending();
    } catch (err) {
      log.warn({ err }, 'could not count pending deliveries for klink_teams_queue_depth');
      return null;
    }
  });
  return {
    worker,
    stop: async (graceMs) => {
      const settled = await worker.stop(graceMs);
      if (!settled) log.warn('shutdown: some deliveries were still in flight; they are sent again after restart or by another instance');
      connector.close();
      return settled;
    },
  };
}
