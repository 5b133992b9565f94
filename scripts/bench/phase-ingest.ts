/**
 * Phase (a): webhook ingest. The same closed-loop load (fixed concurrency, keep-alive, warm-up,
 * fixed window) against a bare node:http server that only checks the HMAC, then against the app
 * on each store — one instance, and two instances on one PostgreSQL database with the load split
 * between them. Every server runs in its own child process.
 */
import { performance } from 'node:perf_hooks';
import type { StoreKind } from '../../test/support/test-database';
import type { ChildHandle } from './child';
import type { Harness } from './harness';
import type { ChildStats } from './ipc';
import { closedLoop } from './load';
import { type LatencySummary, round, summarize } from './stats';
import { mb, roundSummary } from './units';
import { webhookFactory } from './webhooks';

export interface IngestSettings {
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  maxRequests: number;
}

export interface ServerIngest {
  throughputPerS: number;
  ackLatencyMs: LatencySummary;
  sent: number;
  measured: number;
  statuses: Record<string, number>;
  firstError: string | null;
  /** CPU time of the server children during warm-up and window, as a share of one core (summed over instances). */
  serverCpuCores: number;
  /** CPU time of this (load generator) process over the same span, as a share of one core. */
  loadGeneratorCpuCores: number;
  serverPeakRssMb: number;
  /** RSS of the child once it listened, before any load (node + the server). */
  serverStartRssMb: number;
}

export interface AppIngest extends ServerIngest {
  label: string;
  store: StoreKind;
  instances: number;
  /** app throughput / bare throughput. */
  ratio: number;
}

export interface IngestResult {
  settings: IngestSettings;
  bare: ServerIngest;
  apps: AppIngest[];
}

export interface IngestVariant {
  label: string;
  store: StoreKind;
  instances: number;
}

/** Runs the load against the children (round-robin) and reads their CPU and memory around it. */
async function measureServers(harness: Harness, children: ChildHandle[], tag: string, settings: IngestSettings): Promise<ServerIngest> {
  const before = await Promise.all(children.map((c) => c.stats()));
  const cpuBefore = process.cpuUsage();
  const wallBefore = performance.now();
  const webhook = webhookFactory(harness.secret, tag);
  const result = await harness.profiled(children[0], () => closedLoop({ ports: children.map((c) => c.port), ...settings, webhook }));
  const wallMs = performance.now() - wallBefore;
  const cpu = process.cpuUsage(cpuBefore);
  const after = await Promise.all(children.map((c) => c.stats()));
  const cpuMs = (stats: ChildStats[]) => stats.reduce((sum, s) => sum + (s.cpuUserUs + s.cpuSystemUs) / 1000, 0);
  return {
    throughputPerS: round(result.throughputPerS, 0),
    ackLatencyMs: roundSummary(summarize(result.latenciesMs)),
    sent: result.sent,
    measured: result.latenciesMs.length,
    statuses: result.statuses,
    firstError: result.firstError,
    serverCpuCores: round((cpuMs(after) - cpuMs(before)) / wallMs, 2),
    loadGeneratorCpuCores: round((cpu.user + cpu.system) / 1000 / wallMs, 2),
    serverPeakRssMb: Math.max(...after.map((s) => mb(Math.max(s.maxRssBytes, s.sampledPeakRssBytes)))),
    serverStartRssMb: Math.max(...before.map((s) => mb(s.rssBytes))),
  };
}

/** Bare server first, then the app in each variant (fresh database, delivery running, no subscriptions). */
export async function runIngest(harness: Harness, settings: IngestSettings, variants: IngestVariant[]): Promise<IngestResult> {
  harness.note(
    `a: bare server, then the app (${variants.map((v) => v.label).join(', ')}): ${settings.concurrency} in flight, ` +
      `${settings.warmupMs / 1000} s warm-up + ${settings.durationMs / 1000} s each`,
  );
  const bareChild = await harness.start('a-bare', 'bare');
  const bare = await measureServers(harness, [bareChild], 'bench-a-bare', settings).finally(() => harness.finish('a', bareChild));
  const apps: AppIngest[] = [];
  for (const variant of variants) {
    const name = `a-${variant.store}-${variant.instances}`;
    const database = await harness.database(variant.store, name);
    const children: ChildHandle[] = [];
    try {
      for (let i = 0; i < variant.instances; i++) children.push(await harness.start(`${name}-${i + 1}`, 'app', database));
      const app = await measureServers(harness, children, `bench-${name}`, settings);
      apps.push({
        ...app,
        label: variant.label,
        store: variant.store,
        instances: variant.instances,
        ratio: round(app.throughputPerS / bare.throughputPerS, 3),
      });
    } finally {
      for (const child of children) await harness.finish('a', child);
    }
  }
  return { settings, bare, apps };
}
