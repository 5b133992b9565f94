/**
 * Phase (e): sustained mixed load. Webhooks at a steady rate (default 1,000/s for 60 s) while
 * 20 subscribed channels are being delivered to — 50 messages a second each, far more than
 * Teams' 7 per second, so delivery digests all the time. Does the app keep acknowledging at the
 * offered rate, quickly and without errors, and how long does the backlog take to drain after?
 */
import { performance } from 'node:perf_hooks';
import { startFakeConnector } from '../../test/support/fake-connector';
import type { StoreKind } from '../../test/support/test-database';
import type { Harness } from './harness';
import { pacedSend } from './load';
import { type RateUsage, rateUsage } from './rate-usage';
import { type LatencySummary, summarize } from './stats';
import { benchChannels, subscribeViaApi } from './subscribe';
import { roundSummary } from './units';
import { webhookFactory } from './webhooks';

export interface MixedSettings {
  store: StoreKind;
  ratePerS: number;
  durationS: number;
  channels: number;
  tenants: number;
  /** klink rooms each channel's messages fall into. */
  roomsPerChannel: number;
  connectorLatencyMs: number;
  drainTimeoutMs: number;
}

export interface MixedResult {
  settings: MixedSettings;
  sent: number;
  acknowledged: number;
  /** Acknowledged per second of the sending period. */
  acknowledgedPerS: number;
  ackLatencyMs: LatencySummary;
  statuses: Record<string, number>;
  serverErrors: number;
  /** Last webhook sent → the store holds no pending delivery (or null: not drained in drainTimeoutMs). */
  drainMs: number | null;
  /** Backlog (pending deliveries) when the last webhook was answered. */
  backlogAtEnd: number;
  connector: RateUsage;
}

export async function runMixed(harness: Harness, settings: MixedSettings): Promise<MixedResult> {
  const connector = await startFakeConnector();
  const name = `e-${settings.store}`;
  const app = await harness.start(name, 'app', await harness.database(settings.store, name));
  try {
    const perTenant = Math.ceil(settings.channels / settings.tenants);
    const contactOf = (index: number): string => `bench-e-contact-${index}`;
    const channels = benchChannels('e', settings.tenants, perTenant, (i) => `subscribe whatsapp contact:${contactOf(i)}`).slice(
      0,
      settings.channels,
    );
    await subscribeViaApi([app.port], connector, channels);
    connector.respondWith({ delayMs: settings.connectorLatencyMs, times: Infinity });
    const count = Math.round(settings.ratePerS * settings.durationS);
    harness.note(`e (${settings.store}): ${count} webhooks at ${settings.ratePerS}/s to ${channels.length} channels`);
    const webhook = webhookFactory(harness.secret, `bench-${name}-${Date.now().toString(36)}`);
    const began = performance.now();
    // Each message in one of its channel's few rooms, as in a busy inbox.
    const sends = await harness.profiled(app, () =>
      pacedSend(
        app.port,
        settings.ratePerS,
        count,
        (n) => {
          const channel = n % channels.length;
          return webhook(n, contactOf(channel), `bench-e-room-${channel}-${Math.floor(n / channels.length) % settings.roomsPerChannel}`);
        },
        256,
      ),
    );
    const sendingMs = performance.now() - began;
    const lastSentAt = performance.now();
    const backlogAtEnd = (await app.stats()).backlog;
    let drainMs: number | null = null;
    while (performance.now() - lastSentAt < settings.drainTimeoutMs) {
      if ((await app.stats()).backlog === 0) {
        drainMs = performance.now() - lastSentAt;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const statuses: Record<string, number> = {};
    for (const s of sends) statuses[s.result.status] = (statuses[s.result.status] ?? 0) + 1;
    const acknowledged = sends.filter((s) => s.result.status === 200);
    return {
      settings,
      sent: sends.length,
      acknowledged: acknowledged.length,
      acknowledgedPerS: Math.round(acknowledged.length / (Math.max(sendingMs, settings.durationS * 1000) / 1000)),
      ackLatencyMs: roundSummary(summarize(acknowledged.map((s) => s.result.endedAt - s.result.startedAt))),
      statuses,
      serverErrors: sends.filter((s) => s.result.status >= 500).length,
      drainMs: drainMs === null ? null : Math.round(drainMs),
      backlogAtEnd,
      connector: rateUsage(connector.requests, new Map(channels.map((c) => [c.channelId, c.tenantId]))),
    };
  } finally {
    await harness.finish(name, app);
    await connector.close();
  }
}
