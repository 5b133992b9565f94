/**
 * Phase (b): end-to-end latency, webhook sent → card request received by the fake connector, at a
 * steady load inside Teams' limits. Each webhook is a new klink room (so a new thread, never a
 * digest) and matches exactly one of the channels, so every channel gets 1/channels of the stream.
 */
import { type FakeConnector, startFakeConnector } from '../../test/support/fake-connector';
import type { StoreKind } from '../../test/support/test-database';
import type { ChildHandle } from './child';
import { CardsSeen, pollUntil, waitForQuiet } from './cards-seen';
import type { Harness } from './harness';
import { type PacedSend, pacedSend } from './load';
import { type RateUsage, rateUsage } from './rate-usage';
import { type LatencySummary, summarize } from './stats';
import { benchChannels, subscribeViaApi } from './subscribe';
import { roundSummary } from './units';
import { webhookFactory } from './webhooks';

export interface EndToEndSettings {
  store: StoreKind;
  channels: number;
  tenants: number;
  ratePerS: number;
  durationS: number;
  connectorLatencyMs: number;
}

export interface EndToEndResult {
  settings: EndToEndSettings;
  subscription: { channels: number; via: string; ms: number; activeSubscriptions: number };
  webhooks: { sent: number; acknowledged: number; ackLatencyMs: LatencySummary };
  /** Webhooks whose card reached the connector, and how they were recognised. */
  delivered: { count: number; byId: number; byOrder: number; missing: number };
  latencyMs: LatencySummary;
  perChannelRatePerS: number;
  perTenantRatePerS: number;
  connector: RateUsage;
}

const DRAIN_TIMEOUT_MS = 20_000;

export async function runEndToEnd(harness: Harness, settings: EndToEndSettings): Promise<EndToEndResult> {
  const connector = await startFakeConnector();
  const app = await harness.start(`b-${settings.store}`, 'app', await harness.database(settings.store, `b-${settings.store}`));
  try {
    return await measure(harness, connector, app, settings);
  } finally {
    await harness.finish(`b ${settings.store}`, app);
    await connector.close();
  }
}

async function measure(harness: Harness, connector: FakeConnector, app: ChildHandle, settings: EndToEndSettings): Promise<EndToEndResult> {
  const { port } = app;
  const perTenant = Math.ceil(settings.channels / settings.tenants);
  const contactOf = (index: number): string => `bench-b-contact-${index}`;
  const channels = benchChannels('b', settings.tenants, perTenant, (i) => `subscribe whatsapp contact:${contactOf(i)}`).slice(
    0,
    settings.channels,
  );
  const subscription = await subscribeViaApi([port], connector, channels);
  harness.note(
    `b: ${channels.length} channels subscribed in ${subscription.ms} ms; sending ${Math.round(settings.ratePerS * settings.durationS)} webhooks over ${settings.durationS} s`,
  );
  const subscriptions = (await app.stats()).subscriptions;
  if (subscriptions !== channels.length)
    throw new Error(`(b) expected ${channels.length} subscriptions after subscribing, the app has ${subscriptions}`);
  if (settings.connectorLatencyMs > 0) connector.respondWith({ delayMs: settings.connectorLatencyMs, times: Infinity });

  const tag = `bench-b-${Date.now().toString(36)}`;
  const webhook = webhookFactory(harness.secret, tag);
  const channelOfWebhook = (n: number): string => channels[n % channels.length].channelId;
  const seen = new CardsSeen(connector, tag);
  const scanner = setInterval(() => seen.scan(), 20);
  const count = Math.round(settings.ratePerS * settings.durationS);
  let sends: PacedSend[];
  try {
    sends = await harness.profiled(app, async () => {
      const sent = await pacedSend(port, settings.ratePerS, count, (n) => webhook(n, contactOf(n % channels.length)));
      await pollUntil(() => {
        seen.scan();
        return seen.firstSeen.size >= count;
      }, DRAIN_TIMEOUT_MS);
      await waitForQuiet(connector, 500, 5_000);
      return sent;
    });
  } finally {
    clearInterval(scanner);
  }
  seen.scan();

  const byId = new Map(seen.firstSeen);
  const byOrder = matchByOrder(sends, byId, seen, channelOfWebhook);
  const latencies: number[] = [];
  for (const send of sends) {
    const at = byId.get(send.n) ?? byOrder.get(send.n);
    if (at !== undefined) latencies.push(at - send.sentAtEpochMs);
  }
  const acknowledged = sends.filter((s) => s.result.status === 200);
  const tenantByChannel = new Map(channels.map((c) => [c.channelId, c.tenantId]));
  return {
    settings,
    subscription: { channels: subscription.channels, via: subscription.via, ms: subscription.ms, activeSubscriptions: subscriptions },
    webhooks: {
      sent: sends.length,
      acknowledged: acknowledged.length,
      ackLatencyMs: roundSummary(summarize(acknowledged.map((s) => s.result.endedAt - s.result.startedAt))),
    },
    delivered: { count: latencies.length, byId: byId.size, byOrder: byOrder.size, missing: sends.length - latencies.length },
    latencyMs: roundSummary(summarize(latencies), 1),
    perChannelRatePerS: settings.ratePerS / channels.length,
    perTenantRatePerS: (settings.ratePerS / channels.length) * perTenant,
    connector: rateUsage(connector.requests, tenantByChannel),
  };
}

/**
 * Fallback for requests that carry no recognisable id (a card that does not show the message or
 * room id): per channel, such requests are given, in arrival order, to that channel's webhooks that
 * were not recognised, in send order, provided the webhook was sent before the request arrived.
 */
function matchByOrder(
  sends: readonly PacedSend[],
  byId: ReadonlyMap<number, number>,
  seen: CardsSeen,
  channelOf: (n: number) => string,
): Map<number, number> {
  const waiting = new Map<string, PacedSend[]>();
  for (const send of sends) {
    if (byId.has(send.n)) continue;
    const channel = channelOf(send.n);
    const list = waiting.get(channel);
    if (list) list.push(send);
    else waiting.set(channel, [send]);
  }
  const matched = new Map<number, number>();
  for (const request of seen.unmatched) {
    if (request.activity === undefined || request.channelId === undefined) continue;
    const list = waiting.get(request.channelId);
    if (list === undefined || list.length === 0 || list[0].sentAtEpochMs > request.receivedAt) continue;
    const send = list.shift();
    if (send !== undefined) matched.set(send.n, request.receivedAt);
  }
  return matched;
}
