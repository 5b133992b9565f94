/**
 * The delivery thread: `npm start` runs delivery here, off the thread that takes webhooks, so a
 * busy delivery never slows webhook intake. It gets the process's configuration from the thread
 * that started it and opens its own connection to the store.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Config } from '../config';
import { createLogger } from '../log';
import { createMetrics } from '../metrics';
import { openStore } from '../store/open-store';
import { createDelivery } from './create-delivery';
import type { DeliveryThreadData, FromDeliveryThread, ToDeliveryThread } from './thread-messages';

async function main(): Promise<void> {
  const port = parentPort;
  if (port === null) throw new Error('thread-entry runs as a worker thread only');
  const say = (message: FromDeliveryThread) => port.postMessage(message);
  const data = workerData as DeliveryThreadData;
  // A structured clone turns Buffers into plain Uint8Arrays.
  const key = data.config.dataEncryptionKey;
  const config: Readonly<Config> = Object.freeze({ ...data.config, dataEncryptionKey: key === null ? null : Buffer.from(key) });
  const log = createLogger(config.logLevel).child({ thread: 'delivery' });
  // Delivery's own writes need not wait for the database's disk (see durableCommits).
  const store = await openStore(config.store, { onError: (err) => log.warn({ err }, 'database connection error'), durableCommits: false });
  const metrics = createMetrics({ defaultMetrics: false });
  const delivery = createDelivery(config, log, store, metrics, data.options);
  port.on('message', (message: ToDeliveryThread) => {
    if (message.kind === 'status') {
      metrics.registry.getMetricsAsJSON().then(
        (values) => say({ kind: 'status', id: message.id, problem: delivery.worker.problem, metrics: values }),
        (err: unknown) => log.error({ err }, 'could not read delivery metrics'),
      );
      return;
    }
    delivery.stop(message.graceMs).then(
      async (finished) => {
        await store.close();
        say({ kind: 'stopped', finished });
        port.close();
      },
      (err: unknown) => {
        log.error({ err }, 'delivery did not stop cleanly');
        say({ kind: 'stopped', finished: false });
        port.close();
      },
    );
  });
  await delivery.worker.start();
  say({ kind: 'ready' });
}

main().catch((err: unknown) => {
  parentPort?.postMessage({ kind: 'failed', message: (err as Error).message } satisfies FromDeliveryThread);
  process.exit(1);
});
