/**
 * Child process: the real application (createApp, as `npm start` runs it: delivery in a worker
 * thread) on the benchmark's database, in local mode. Started by the benchmark with `child_process.fork`.
 */
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/log';
import { failStartup, serveParent } from './child-runtime';
import { parseChildSettings } from './ipc';

async function main(): Promise<void> {
  const settings = parseChildSettings(process.argv[2]);
  const config = loadConfig({
    DATABASE_URL: settings.databaseUrl,
    KLINK_WEBHOOK_SECRET: settings.secret,
    KLINK_ROOM_URL_TEMPLATE: settings.roomUrlTemplate,
    LOG_LEVEL: settings.logLevel,
  });
  // The logger writes to stdout, which the benchmark sends to a log file.
  const app = await createApp(config, createLogger(config.logLevel));
  const port = await app.listen(0);
  serveParent({
    port,
    subscriptions: async () => (await app.store.conversations.activeSubscriptions()).length,
    backlog: async () => (await app.store.deliveries.countPending()) + (await app.store.deliveries.undispatchedEvents(1)).length,
    close: () => app.close(),
  });
}

main().catch(failStartup);
