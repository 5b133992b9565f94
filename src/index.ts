/** Entry point: configuration → logger → application → listen. */
import { ConfigError, loadConfig } from './config';
import { createApp } from './app';
import { createLogger } from './log';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const log = createLogger(config.logLevel);
  if (config.localMode) {
    log.warn('LOCAL MODE: BOT_ID is not set, so /api/messages accepts unauthenticated activities (for the Agents Playground). Never expose this to the internet.');
  }
  const app = createApp(config, log);
  const port = await app.listen(config.port);
  log.info({ port, host: config.host, store: config.store.kind }, 'klink-teams listening');
  const shutdown = (signal: string) => {
    log.info({ signal }, 'shutting down: no new webhooks, finishing deliveries in flight');
    setTimeout(() => process.exit(1), 20_000).unref();
    app.close().then(() => process.exit(0), (err: unknown) => {
      process.stderr.write(`klink-teams: shutdown failed: ${(err as Error).stack ?? String(err)}\n`);
      process.exit(1);
    });
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : (err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
