/**
 * Child process: the real application (createApp) on a fresh SQLite file, in local mode, with its
 * delivery worker running. Started by the benchmark with `child_process.fork`.
 */
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/log';
import { failStartup, serveParent } from './child-runtime';
import { parseChildSettings } from './ipc';

async function main(): Promise<void> {
  const settings = parseChildSettings(process.argv[2]);
  const config = loadConfig({
    DATABASE_URL: `sqlite:${settings.dbFile}`,
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
    close: () => app.close(),
  });
}

main().catch(failStartup);
