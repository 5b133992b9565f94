/** The child side of the benchmark's IPC: announces the port, answers stats and profiling requests, stops. */
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import type { ChildMessage, ChildStats, ParentRequest } from './ipc';
import { asParentRequest } from './ipc';

export interface ServedChild {
  port: number;
  /** Active subscriptions (the app's store), 0 for servers without one. */
  subscriptions(): Promise<number>;
  /** Work still in the store (see ChildStats.backlog), 0 for servers without one. */
  backlog(): Promise<number>;
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

/** The V8 CPU profiler of this process, started and stopped on request (only the measured part is profiled). */
class Profiler {
  private session: Session | null = null;

  async start(): Promise<void> {
    if (this.session !== null) throw new Error('the CPU profiler is already running');
    const session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
    this.session = session;
  }

  async stop(file: string): Promise<void> {
    const session = this.session;
    if (session === null) throw new Error('the CPU profiler is not running');
    this.session = null;
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    fs.writeFileSync(file, JSON.stringify(profile));
  }
}

/** Wires a started server to the parent; exits when asked to stop or when the parent goes away. */
export function serveParent(child: ServedChild): void {
  const peakRss = startRssSampler();
  const profiler = new Profiler();
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await child.close();
  };
  const exitSoon = (code: number): void => {
    process.exitCode = code;
    // Exit even if a library left a handle open; the parent waits for the exit.
    setImmediate(() => process.exit());
  };

  const handle = async (request: ParentRequest): Promise<void> => {
    switch (request.type) {
      case 'stats':
        send({ type: 'stats', id: request.id, stats: stats(peakRss(), await child.subscriptions(), await child.backlog()) });
        return;
      case 'profile-start':
        await profiler.start();
        send({ type: 'done', id: request.id });
        return;
      case 'profile-stop':
        await profiler.stop(request.file);
        send({ type: 'done', id: request.id });
        return;
      case 'stop':
        await stop();
        send({ type: 'done', id: request.id });
        exitSoon(0);
        return;
    }
  };
  process.on('message', (raw: unknown) => {
    const request = asParentRequest(raw);
    if (request === null) return;
    handle(request).catch((err: unknown) => {
      process.stderr.write(`bench child: ${request.type} failed: ${(err as Error).stack ?? String(err)}\n`);
      send({ type: 'failed', id: request.id, message: (err as Error).message });
      if (request.type === 'stop') exitSoon(1);
    });
  });
  process.on('disconnect', () => {
    stop().then(
      () => exitSoon(0),
      (err: unknown) => {
        process.stderr.write(`bench child: close after disconnect failed: ${(err as Error).stack ?? String(err)}\n`);
        exitSoon(1);
      },
    );
  });
  send({ type: 'ready', port: child.port });
}

function stats(sampledPeakRssBytes: number, subscriptions: number, backlog: number): ChildStats {
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
    backlog,
  };
}

/** Reports a start-up failure to the parent and exits. */
export function failStartup(err: unknown): void {
  const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
  process.stderr.write(`bench child failed to start: ${message}\n`);
  if (process.send !== undefined) process.send({ type: 'failed', message } satisfies ChildMessage);
  process.exit(1);
}
