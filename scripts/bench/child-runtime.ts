/** The child side of the benchmark's IPC: announces the port, answers stats, stops on request. */
import type { ChildMessage, ChildStats } from './ipc';
import { asParentRequest } from './ipc';

export interface ServedChild {
  port: number;
  /** Active subscriptions (the app's store), 0 for servers without one. */
  subscriptions(): Promise<number>;
  /** Closes the server (and the app); the process exits afterwards. */
  close(): Promise<void>;
}

const SAMPLE_MS = 50;

/** Samples RSS while the child lives; the interval never keeps the process alive. */
function startRssSampler(): () => number {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, SAMPLE_MS);
  timer.unref();
  return () => Math.max(peak, process.memoryUsage.rss());
}

function send(message: ChildMessage): void {
  if (process.send === undefined) throw new Error('bench child servers must be started with an IPC channel (child_process.fork)');
  process.send(message);
}

/** Wires a started server to the parent; exits when asked to stop or when the parent goes away. */
export function serveParent(child: ServedChild): void {
  const peakRss = startRssSampler();
  let stopping = false;
  const stop = async (id?: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    try {
      await child.close();
      if (id !== undefined) send({ type: 'stopped', id });
      process.exitCode = 0;
    } catch (err) {
      process.stderr.write(`bench child: close failed: ${(err as Error).stack ?? String(err)}\n`);
      process.exitCode = 1;
    }
    // process.exit (not a natural exit) so that --cpu-prof writes its profile even with open handles.
    setImmediate(() => process.exit());
  };

  process.on('message', (raw: unknown) => {
    const request = asParentRequest(raw);
    if (request === null) return;
    if (request.type === 'stop') {
      void stop(request.id);
      return;
    }
    child.subscriptions().then(
      (subscriptions) => send({ type: 'stats', id: request.id, stats: stats(peakRss(), subscriptions) }),
      (err: unknown) => send({ type: 'failed', id: request.id, message: (err as Error).message }),
    );
  });
  process.on('disconnect', () => void stop());
  send({ type: 'ready', port: child.port });
}

function stats(sampledPeakRssBytes: number, subscriptions: number): ChildStats {
  const cpu = process.cpuUsage();
  const memory = process.memoryUsage();
  return {
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    sampledPeakRssBytes,
    rssBytes: memory.rss,
    heapUsedBytes: memory.heapUsed,
    cpuUserUs: cpu.user,
    cpuSystemUs: cpu.system,
    subscriptions,
  };
}

/** Reports a start-up failure to the parent and exits. */
export function failStartup(err: unknown): void {
  const message = err instanceof Error ? err.stack ?? err.message : String(err);
  process.stderr.write(`bench child failed to start: ${message}\n`);
  if (process.send !== undefined) process.send({ type: 'failed', message } satisfies ChildMessage);
  process.exit(1);
}
