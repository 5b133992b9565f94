/**
 * Phase (c): fan-out of one webhook to every subscribed channel, across tenants, with connector
 * latency; the time until every channel's card reached (and was answered by) the connector,
 * against the time Teams' rate limits allow at best.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { startFakeConnector } from '../../test/support/fake-connector';
import type { StoreKind } from '../../test/support/test-database';
import type { ChildHandle } from './child';
import { waitForQuiet, waitWithProgress } from './cards-seen';
import type { Harness } from './harness';
import { LIMITS, type RateUsage, rateUsage } from './rate-usage';
import { round } from './stats';
import { benchChannels, subscribeViaApi } from './subscribe';
import { postWebhook, webhookFactory } from './webhooks';

export interface FanOutSettings {
  /** Label in the report: c1, c2. */
  label: string;
  store: StoreKind;
  /** App instances on one database; subscriptions go to them in turn, the webhook to the first. */
  instances: number;
  tenants: number;
  channelsPerTenant: number;
  connectorLatencyMs: number;
  timeoutMs: number;
}

export interface FanOutResult {
  settings: FanOutSettings;
  subscription: { channels: number; via: string; ms: number; activeSubscriptions: number };
  webhookStatus: number;
  /** How long the app took to acknowledge the fan-out webhook. */
  webhookAckMs: number;
  /** Channels whose card reached the connector (the first request to that channel after the webhook). */
  channelsReached: number;
  complete: boolean;
  /** done; stalled: no request reached the connector for STALL_MS; timeout; webhook refused (not 200 in time). */
  outcome: 'done' | 'stalled' | 'timeout' | 'webhook refused';
  /** Whether the app still answered (its event loop ran) when the wait ended. */
  appResponsive: boolean;
  /** Webhook sent → first card request received. */
  firstCardMs: number;
  /** Webhook sent → last channel's first card request received. */
  lastCardArrivedMs: number;
  /** … and answered (arrival + the connector latency): "all delivered". */
  allDeliveredMs: number;
  /** The target's bound: Teams' limits as steady rates (50 requests/s per tenant, 7/s per conversation). */
  bound: RateBound;
  /** The strict floor: Teams' limits as sliding windows, so a tenant's first 50 may all go at once. */
  windowBound: RateBound;
  /** allDeliveredMs / bound.ms (1.0 = as fast as the steady rates allow; below 1: faster, using the window's burst). */
  ratioToBound: number;
  /** allDeliveredMs / windowBound.ms. */
  ratioToWindowBound: number;
  connector: RateUsage;
}

export interface RateBound {
  formula: string;
  /** Earliest possible "all delivered" under this reading of the rules, including one connector latency. */
  ms: number;
  tenantSpanMs: number;
  conversationSpanMs: number;
}

/**
 * Teams' limits as steady rates: a tenant's n requests at 50 per second are sent over
 * (n - 1) / 50 s, a conversation's at 7 per second over (n - 1) / 7 s; the last is answered one
 * latency later. 1,000 channels in 20 tenants: 50 per tenant, 0.98 s + 20 ms = 1.0 s.
 */
export function rateBound(requestsPerTenant: readonly number[], requestsPerConversation: number, latencyMs: number): RateBound {
  const tenantSpanMs = Math.max(0, ...requestsPerTenant.map((n) => ((n - 1) / LIMITS.tenantPer1s) * 1000));
  const conversationSpanMs = Math.max(0, ((requestsPerConversation - 1) / LIMITS.conversationPer1s) * 1000);
  return {
    formula:
      'max( max_t (n_t - 1) / 50 s , max_c (n_c - 1) / 7 s ) + connector latency; n_t = cards for tenant t, n_c = cards for conversation c (1 here)',
    ms: Math.max(tenantSpanMs, conversationSpanMs) + latencyMs,
    tenantSpanMs,
    conversationSpanMs,
  };
}

/**
 * Teams' limits as sliding windows (what the pacer enforces): a tenant's first 50 requests may
 * all go at once, the next 50 one second later; the last is answered one latency later.
 */
export function windowBound(requestsPerTenant: readonly number[], requestsPerConversation: number, latencyMs: number): RateBound {
  const tenantSpanMs = Math.max(0, ...requestsPerTenant.map((n) => (Math.ceil(n / LIMITS.tenantPer1s) - 1) * 1000));
  const conversationSpanMs = Math.max(0, (Math.ceil(requestsPerConversation / LIMITS.conversationPer1s) - 1) * 1000);
  return {
    formula: 'max( max_t (ceil(n_t / 50) - 1) s , max_c (ceil(n_c / 7) - 1) s ) + connector latency',
    ms: Math.max(tenantSpanMs, conversationSpanMs) + latencyMs,
    tenantSpanMs,
    conversationSpanMs,
  };
}

/** The tenant window (1 s) and the pacer's margin, with room to spare. */
const TENANT_WINDOW_REST_MS = 1_100;
/** Give up when no request has reached the connector for this long (the app may be stuck). */
const STALL_MS = 10_000;
const WEBHOOK_TIMEOUT_MS = 10_000;
const PING_TIMEOUT_MS = 3_000;

export async function runFanOut(harness: Harness, settings: FanOutSettings): Promise<FanOutResult> {
  const connector = await startFakeConnector();
  const database = await harness.database(settings.store, settings.label);
  const instances: ChildHandle[] = [];
  try {
    for (let i = 0; i < settings.instances; i++) instances.push(await harness.start(`${settings.label}-app-${i + 1}`, 'app', database));
    const app = instances[0];
    const channels = benchChannels(settings.label, settings.tenants, settings.channelsPerTenant, () => 'subscribe whatsapp');
    const subscription = await subscribeViaApi(
      instances.map((i) => i.port),
      connector,
      channels,
    );
    harness.note(`${settings.label}: ${channels.length} channels subscribed in ${subscription.ms} ms`);
    const activeSubscriptions = (await app.stats()).subscriptions;
    if (activeSubscriptions !== channels.length)
      throw new Error(`(${settings.label}) expected ${channels.length} subscriptions, the app has ${activeSubscriptions}`);
    connector.respondWith({ delayMs: settings.connectorLatencyMs, times: Infinity });
    // The bot's answers to the subscribe commands count against each tenant's 1 s window (as in
    // Teams); the fan-out starts once those windows have passed, from a rested budget.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, subscription.lastAnswerAt + TENANT_WINDOW_REST_MS - Date.now())));

    const tenantByChannel = new Map(channels.map((c) => [c.channelId, c.tenantId]));
    const firstArrival = new Map<string, number>();
    let scanned = 0;
    const scan = (): boolean => {
      for (; scanned < connector.requests.length; scanned++) {
        const { channelId, receivedAt } = connector.requests[scanned];
        if (channelId !== undefined && tenantByChannel.has(channelId) && !firstArrival.has(channelId))
          firstArrival.set(channelId, receivedAt);
      }
      return firstArrival.size >= channels.length;
    };

    const hook = webhookFactory(harness.secret, `bench-${settings.label}-${Date.now().toString(36)}`)(0);
    const agent = new http.Agent({ keepAlive: false });
    const { answer, outcome, sentAt } = await harness.profiled(app, async () => {
      const sent = Date.now();
      const posted = await postWebhook(agent, app.port, hook, () => performance.now(), WEBHOOK_TIMEOUT_MS);
      agent.destroy();
      if (posted.status !== 200) return { answer: posted, outcome: 'webhook refused' as const, sentAt: sent };
      const waited = await waitWithProgress(scan, () => connector.requests.length, settings.timeoutMs, STALL_MS);
      if (waited === 'done') await waitForQuiet(connector, 500, 5_000);
      return { answer: posted, outcome: waited, sentAt: sent };
    });
    scan();
    const appResponsive = await Promise.all(instances.map((i) => i.stats(PING_TIMEOUT_MS))).then(
      () => true,
      (err: unknown) => {
        harness.note(`${settings.label}: the app does not answer: ${(err as Error).message}`);
        return false;
      },
    );
    harness.note(`${settings.label}: ${firstArrival.size} of ${channels.length} channels reached (${outcome})`);

    const arrivals = [...firstArrival.values()];
    const lastArrival = arrivals.length === 0 ? Number.NaN : Math.max(...arrivals);
    const allDeliveredMs = lastArrival - sentAt + settings.connectorLatencyMs;
    const perTenant = Array.from({ length: settings.tenants }, () => settings.channelsPerTenant);
    const bound = rateBound(perTenant, 1, settings.connectorLatencyMs);
    const strict = windowBound(perTenant, 1, settings.connectorLatencyMs);
    return {
      settings,
      subscription: { channels: subscription.channels, via: subscription.via, ms: subscription.ms, activeSubscriptions },
      webhookStatus: answer.status,
      webhookAckMs: round(answer.endedAt - answer.startedAt, 1),
      channelsReached: firstArrival.size,
      complete: outcome === 'done',
      outcome,
      appResponsive,
      firstCardMs: arrivals.length === 0 ? Number.NaN : Math.min(...arrivals) - sentAt,
      lastCardArrivedMs: lastArrival - sentAt,
      allDeliveredMs,
      bound,
      windowBound: strict,
      ratioToBound: round(allDeliveredMs / bound.ms, 2),
      ratioToWindowBound: round(allDeliveredMs / strict.ms, 2),
      connector: rateUsage(connector.requests, tenantByChannel),
    };
  } finally {
    for (const instance of instances) await harness.finish(settings.label, instance);
    await connector.close();
  }
}
