/** Load generation from the parent: a closed loop at fixed concurrency, and a paced open loop. */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import type { BenchWebhook, PostResult } from './webhooks';
import { postWebhook } from './webhooks';

export interface ClosedLoopOptions {
  /** Request n goes to ports[n % ports.length] (several instances behind one "load balancer"). */
  ports: number[];
  concurrency: number;
  /** Requests in this first period are sent but not measured. */
  warmupMs: number;
  durationMs: number;
  /** Upper bound on requests, whatever the duration. */
  maxRequests: number;
  webhook: (n: number) => BenchWebhook;
}

export interface ClosedLoopResult {
  /** Requests answered inside the measured window. */
  completed: number;
  measuredMs: number;
  throughputPerS: number;
  /** Latency (ms) of requests started and answered inside the window. */
  latenciesMs: number[];
  sent: number;
  statuses: Record<string, number>;
  firstError: string | null;
}

/** `concurrency` requests in flight over one keep-alive agent until the warm-up and window have passed. */
export async function closedLoop(options: ClosedLoopOptions): Promise<ClosedLoopResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency, maxFreeSockets: options.concurrency });
  const now = () => performance.now();
  const begin = now();
  const windowStart = begin + options.warmupMs;
  const windowEnd = windowStart + options.durationMs;
  const latenciesMs: number[] = [];
  const statuses: Record<string, number> = {};
  let firstError: string | null = null;
  let sent = 0;
  let completed = 0;

  const record = (result: PostResult): void => {
    statuses[result.status] = (statuses[result.status] ?? 0) + 1;
    if (result.status !== 200 && firstError === null) firstError = result.error ?? `HTTP ${result.status}`;
    if (result.endedAt >= windowStart && result.endedAt <= windowEnd) completed++;
    if (result.startedAt >= windowStart && result.endedAt <= windowEnd) latenciesMs.push(result.endedAt - result.startedAt);
  };
  const worker = async (): Promise<void> => {
    while (now() < windowEnd && sent < options.maxRequests) {
      const n = sent++;
      record(await postWebhook(agent, options.ports[n % options.ports.length], options.webhook(n), now));
    }
  };
  try {
    await Promise.all(Array.from({ length: options.concurrency }, worker));
  } finally {
    agent.destroy();
  }
  const measuredMs = Math.min(now(), windowEnd) - windowStart;
  return { completed, measuredMs, throughputPerS: completed / (measuredMs / 1000), latenciesMs, sent, statuses, firstError };
}

export interface PacedSend {
  n: number;
  /** Date.now() just before the request was started (the clock the fake connector stamps with). */
  sentAtEpochMs: number;
  result: PostResult;
}

/**
 * Sends `count` webhooks at `ratePerS`, on an absolute schedule (no drift), each on its own request
 * over a keep-alive agent; resolves when all have been answered.
 */
export async function pacedSend(
  port: number,
  ratePerS: number,
  count: number,
  webhook: (n: number) => BenchWebhook,
  maxSockets = 16,
): Promise<PacedSend[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  const begin = performance.now();
  const sends: Array<Promise<PacedSend>> = [];
  try {
    for (let n = 0; n < count; n++) {
      const due = begin + (n * 1000) / ratePerS;
      const wait = due - performance.now();
      if (wait > 0) await new Promise<void>((resolve) => setTimeout(resolve, wait));
      const hook = webhook(n);
      const sentAtEpochMs = Date.now();
      sends.push(postWebhook(agent, port, hook, () => performance.now()).then((result) => ({ n, sentAtEpochMs, result })));
    }
    return await Promise.all(sends);
  } finally {
    agent.destroy();
  }
}
