/** The HTTP surface: one restify server, the routes of the DESIGN's "HTTP" table. */
import restify from 'restify';
import type { CloudAdapter } from 'botbuilder';
import type { KlinkBot } from '../bot/klink-bot';
import { type Connections, DEFAULT_CONNECTION } from '../klink/connections';
import type { Logger } from '../log';
import type { WebhookDeps } from '../klink/receive-webhook';
import type { Store } from '../store/store';
import { privacyPage, termsPage } from './pages';
import { webhookHandler } from './webhook-route';

export interface ServerDeps {
  log: Logger;
  store: Store;
  adapter: CloudAdapter;
  bot: KlinkBot;
  connections: Connections;
  webhook: WebhookDeps;
  /** A reason delivery cannot work right now (e.g. Teams rejects the credentials), or null. */
  deliveryProblem: () => string | null;
  /** True once shutdown began: requests on kept-alive connections are turned away too. */
  shuttingDown: () => boolean;
}

export function createServer(deps: ServerDeps): restify.Server {
  const server = restify.createServer({ name: 'klink-teams', handleUncaughtExceptions: false });
  const { log } = deps;

  server.pre((_req, res, next) => {
    if (!deps.shuttingDown()) return next();
    res.header('Connection', 'close');
    res.send(503, { ok: false, error: 'shutting down' });
    return next(false);
  });

  server.post('/api/messages', restify.plugins.bodyParser({ maxBodySize: 1024 * 1024 }), async (req, res) => {
    await deps.adapter.process(req, res, (context) => deps.bot.run(context));
  });

  server.post('/api/klink/webhook', webhookHandler(() => deps.connections.resolve(DEFAULT_CONNECTION), deps.webhook));
  server.post('/api/klink/webhook/:connectionId', webhookHandler((req) => deps.connections.resolve(String(req.params.connectionId ?? '')), deps.webhook));

  server.get('/healthz', async (_req, res) => {
    res.send(200, { ok: true });
  });

  server.get('/metrics', async (_req, res) => {
    const body = await deps.webhook.metrics.registry.metrics();
    res.writeHead(200, { 'content-type': deps.webhook.metrics.registry.contentType });
    res.end(body);
  });

  server.get('/privacy', privacyPage);
  server.get('/terms', termsPage);

  server.get('/readyz', async (_req, res) => {
    try {
      await deps.store.ping();
      const problem = deps.deliveryProblem();
      if (problem !== null) {
        res.send(503, { ok: false, error: problem });
        return;
      }
      res.send(200, { ok: true });
    } catch (err) {
      log.error({ err }, 'readiness check failed: store unreachable');
      res.send(503, { ok: false, error: 'store unreachable' });
    }
  });

  server.on('restifyError', (req: restify.Request, _res: restify.Response, err: Error & { statusCode?: number }, callback: () => void) => {
    if ((err.statusCode ?? 500) >= 500) log.error({ err, route: req.getRoute()?.path, requestId: req.id() }, 'request failed');
    callback();
  });
  return server;
}
