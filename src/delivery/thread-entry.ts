/**
 * The delivery thread: `npm start` runs delivery here, off the thread that takes webhooks, so a
 * busy delivery never slows webhook intake. It opens its own connection to the store and reads
 * the configuration from the environment, as the HTTP thread did.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadConfig } from '../config';
import { createLogger } from '../log';
import { createMetrics } from '../metrics';
import { openStore } from '../store/open-store';
import { createDelivery } from './create-delivery';
import type { DeliveryThreadData, FromDeliveryThread, ToDeliveryThread } from './thread-messages';

async function main(): Promise<void> {
  const port = parentPort;
  if (port === null) throw new Error('thread-entry runs as a worker thread only');
  const say = (message: FromDeliveryThread) => port.postMessage(message);
  const config = loadConfig(process.env);
  const log = createLogger(config.logLevel).child({ thread: 'delivery' });
  const store = await openStore(config.store, { onError: (err) => log.warn({ err }, 'database connection error') });
  const metrics = createMetrics({ defaultMetrics: false });
  const delivery = createDelivery(config, log, store, metrics, workerData as DeliveryThreadData);
  port.on('message', (message: ToDeliveryThread) => {
    if (message.kind === 'status') {
      metrics.registry.getMetricsAsJSON().then((values) => say({ kind: 'status', id: message.id, problem: delivery.worker.problem, metrics: values }),
        (err: unknown) => log.error({ err }, 'could not read delivery metrics'));
      return;
    }
    delivery.stop(message.graceMs).then(async (finished) => {
      await store.close();
      say({ kind: 'stopped', finished });
      port.close();
    }, (err: unknown) => {
      log.error({ err }, 'delivery did not stop cleanly');
      say({ kind: 'stopped', finished: false });
      port.close();
    });
  });
  await delivery.worker.start();
  say({ kind: 'ready' });
}

main().catch((err: unknown) => {
  parentPort?.postMessage({ kind: 'failed', message: (err as Error).message } satisfies FromDeliveryThread);
  process.exit(1);
});
