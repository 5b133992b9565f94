/**
 * Phase (a): webhook ingest. The same closed-loop load (fixed concurrency, keep-alive, warm-up,
 * fixed window) against a bare node:http server that only checks the HMAC, then against the app;
 * each server runs alone in its own child process.
 */
import { performance } from 'node:perf_hooks';
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
  /** CPU time of the server child during warm-up and window, as a share of one core. */
  serverCpuCores: number;
  /** CPU time of this (load generator) process over the same span, as a share of one core. */
  loadGeneratorCpuCores: number;
  serverPeakRssMb: number;
  /** RSS of the child once it listened, before any load (node + tsx + the server). */
  serverStartRssMb: number;
}

export interface IngestResult {
  settings: IngestSettings;
  bare: ServerIngest;
  app: ServerIngest;
  /** app throughput / bare throughput. */
  ratio: number;
}

/** Runs the load against one child server and reads its CPU and memory around it. */
async function measureServer(harness: Harness, child: ChildHandle, tag: string, settings: IngestSettings): Promise<ServerIngest> {
  const before = await child.stats();
  const cpuBefore = process.cpuUsage();
  const wallBefore = performance.now();
  const webhook = webhookFactory(harness.secret, tag);
  const result = await harness.profiled(child, () => closedLoop({ port: child.port, ...settings, webhook }));
  const wallMs = performance.now() - wallBefore;
  const cpu = process.cpuUsage(cpuBefore);
  const after = await child.stats();
  return {
    throughputPerS: round(result.throughputPerS, 0),
    ackLatencyMs: roundSummary(summarize(result.latenciesMs)),
    sent: result.sent,
    measured: result.latenciesMs.length,
    statuses: result.statuses,
    firstError: result.firstError,
    serverCpuCores: (cpuMs(after) - cpuMs(before)) / wallMs,
    loadGeneratorCpuCores: (cpu.user + cpu.system) / 1000 / wallMs,
    serverPeakRssMb: mb(Math.max(after.maxRssBytes, after.sampledPeakRssBytes)),
    serverStartRssMb: mb(before.rssBytes),
  };
}

/** Bare server first, then the app (fresh database, delivery worker running, no subscriptions). */
export async function runIngest(harness: Harness, settings: IngestSettings): Promise<IngestResult> {
  harness.note(`a: bare server, then the app: ${settings.concurrency} in flight, ${settings.warmupMs / 1000} s warm-up + ${settings.durationMs / 1000} s each`);
  const bareChild = await harness.start('a-bare', 'bare');
  const bare = await measureServer(harness, bareChild, 'bench-a-bare', settings).finally(() => harness.finish('a', bareChild));
  const appChild = await harness.start('a-app', 'app');
  const app = await measureServer(harness, appChild, 'bench-a-app', settings).finally(() => harness.finish('a', appChild));
  return ingestResult(settings, bare, app);
}

function ingestResult(settings: IngestSettings, bare: ServerIngest, app: ServerIngest): IngestResult {
  return {
    settings,
    bare: roundCpu(bare),
    app: roundCpu(app),
    ratio: bare.throughputPerS > 0 ? round(app.throughputPerS / bare.throughputPerS, 3) : Number.NaN,
  };
}

function roundCpu(server: ServerIngest): ServerIngest {
  return { ...server, serverCpuCores: round(server.serverCpuCores, 2), loadGeneratorCpuCores: round(server.loadGeneratorCpuCores, 2) };
}

function cpuMs(stats: ChildStats): number {
  return (stats.cpuUserUs + stats.cpuSystemUs) / 1000;
}
