/** Entry point: configuration → logger → application (by PROCESS_ROLE) → listen. */
import { loadConfig } from './config';
import { createApp } from './app';
import { createLogger } from './log';
import { describeStartupError } from './startup-error';

let port: number | null = null;

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  port = config.port;
  const log = createLogger(config.logLevel);
  if (config.localMode) {
    log.warn(
      'LOCAL MODE: BOT_ID is not set, so /api/messages accepts unauthenticated activities (for the Agents Playground) and the tab API (/api/tab/…) treats every caller as the development identity "local-development-user", without sign-in or membership check. Never expose this to the internet.',
    );
  }
  const app = await createApp(config, log);
  const bound = await app.listen(config.port);
  log.info({ port: bound, host: config.host, role: config.role, store: app.store.description }, 'klink-teams listening');
  const shutdown = (signal: string) => {
    log.info({ signal }, 'shutting down: no new webhooks, finishing deliveries in flight');
    setTimeout(() => process.exit(1), 20_000).unref();
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`klink-teams: shutdown failed: ${(err as Error).stack ?? String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`${describeStartupError(err, port)}\n`);
  process.exit(1);
});
