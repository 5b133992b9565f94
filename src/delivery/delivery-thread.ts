/**
 * Runs delivery in a worker thread of this process (thread-entry.ts) and speaks to it. A thread
 * that stops unexpectedly is started again after a pause; its claims expire and it takes its
 * work back (or another instance does).
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../log';
import type { DeliveryHandle, MetricsJson } from './delivery-handle';
import type { Config } from '../config';
import type { DeliveryOptionsData, DeliveryThreadData, FromDeliveryThread, ToDeliveryThread } from './thread-messages';

const RESTART_AFTER_MS = 1_000;
const ASK_TIMEOUT_MS = 2_000;
/** The entry file next to this one: .js in the build, .ts when run from source with tsx (development, tests). */
const ENTRY = path.join(__dirname, `thread-entry${path.extname(__filename)}`);

/** A worker thread running the entry; from source, tsx's require hook is registered in the thread first. */
function newThread(data: DeliveryThreadData): Worker {
  if (ENTRY.endsWith('.js')) return new Worker(ENTRY, { workerData: data });
  return new Worker(`require('tsx/cjs'); require(${JSON.stringify(ENTRY)});`, { eval: true, workerData: data });
}

type Status = { problem: string | null; metrics: MetricsJson };

export async function startDeliveryThread(
  config: Readonly<Config>,
  log: Logger,
  options: DeliveryOptionsData = {},
): Promise<DeliveryHandle> {
  const data: DeliveryThreadData = { config, options };
  let worker: Worker;
  /** The current thread has exited (until it is started again). */
  let exited = false;
  let stopping = false;
  let nextId = 1;
  const asked = new Map<number, (status: Status) => void>();
  let stopped: ((finished: boolean) => void) | null = null;

  const spawn = (): Promise<void> =>
    new Promise((resolve, reject) => {
      worker = newThread(data);
      exited = false;
      let started = false;
      worker.on('message', (message: FromDeliveryThread) => {
        switch (message.kind) {
          case 'ready':
            started = true;
            resolve();
            return;
          case 'failed':
            if (!started) reject(new Error(`the delivery thread could not start: ${message.message}`));
            else log.error({ reason: message.message }, 'the delivery thread failed');
            return;
          case 'status':
            asked.get(message.id)?.({ problem: message.problem, metrics: message.metrics });
            asked.delete(message.id);
            return;
          case 'stopped':
            stopped?.(message.finished);
        }
      });
      worker.on('error', (err) => log.error({ err }, 'the delivery thread threw'));
      worker.on('exit', (code) => {
        exited = true;
        if (!started) {
          reject(new Error(`the delivery thread exited with code ${code} while starting`));
          return;
        }
        if (stopping) return;
        log.error({ code, restartInMs: RESTART_AFTER_MS }, 'the delivery thread stopped unexpectedly; starting it again');
        restartLater();
      });
    });

  const restartLater = (): void => {
    setTimeout(() => {
      if (stopping) return;
      spawn().catch((err: unknown) => {
        log.error({ err, restartInMs: RESTART_AFTER_MS }, 'the delivery thread could not be started again; trying again');
        restartLater();
      });
    }, RESTART_AFTER_MS);
  };

  const ask = (): Promise<Status | null> =>
    new Promise((resolve) => {
      if (exited) {
        resolve(null);
        return;
      }
      const id = nextId++;
      const timer = setTimeout(() => {
        asked.delete(id);
        resolve(null);
      }, ASK_TIMEOUT_MS);
      asked.set(id, (status) => {
        clearTimeout(timer);
        resolve(status);
      });
      worker.postMessage({ kind: 'status', id } satisfies ToDeliveryThread);
    });

  await spawn();
  return {
    problem: async () => {
      const status = await ask();
      if (status === null) return exited ? 'the delivery thread stopped; it is being started again' : 'the delivery thread does not answer';
      return status.problem;
    },
    metrics: async () => (await ask())?.metrics ?? [],
    stop: async (graceMs) => {
      stopping = true;
      if (exited) return false;
      const finished = new Promise<boolean>((resolve) => {
        stopped = resolve;
        worker.once('exit', () => resolve(false));
      });
      worker.postMessage({ kind: 'stop', graceMs } satisfies ToDeliveryThread);
      const result = await finished;
      await worker.terminate();
      return result;
    },
  };
}
