/** The HTTP surface: one restify server, the routes of the DESIGN's "HTTP" table. */
import restify from 'restify';
import type { CloudAdapter } from 'botbuilder';
import type { KlinkBot } from '../bot/klink-bot';
import { type Connections, DEFAULT_CONNECTION } from '../klink/connections';
import type { WebhookDeps } from '../klink/receive-webhook';
import type { Logger } from '../log';
import { ClientTrouble } from './client-trouble';
import { type HealthDeps, healthRoutes } from './health-routes';
import { requestDeadline } from './request-deadline';
import { privacyPage, termsPage } from './pages';
import { webhookHandler } from './webhook-route';

export interface ServerDeps {
  log: Logger;
  adapter: CloudAdapter;
  bot: KlinkBot;
  connections: Connections;
  webhook: WebhookDeps;
  health: HealthDeps;
  /** A request body still arriving this long after the headers is cut off with 408. */
  requestTimeoutMs: number;
  now: () => number;
}

export function createServer(deps: ServerDeps): restify.Server {
  const server = restify.createServer({ name: 'klink-teams', handleUncaughtExceptions: false });
  const { log } = deps;
  const trouble = new ClientTrouble(log, deps.now);
  server.pre((req, _res, next) => {
    trouble.watch(req, req.path());
    return next();
  });
  server.pre(requestDeadline(deps.requestTimeoutMs, trouble));
  healthRoutes(server, deps.health);

  server.post('/api/messages', restify.plugins.bodyParser({ maxBodySize: 1024 * 1024 }), async (req, res) => {
    await deps.adapter.process(req, res, (context) => deps.bot.run(context));
  });

  server.post('/api/klink/webhook', webhookHandler(() => deps.connections.resolve(DEFAULT_CONNECTION), deps.webhook));
  server.post('/api/klink/webhook/:connectionId', webhookHandler((req) => deps.connections.resolve(String(req.params.connectionId ?? '')), deps.webhook));

  server.get('/privacy', privacyPage);
  server.get('/terms', termsPage);

  server.on('restifyError', (req: restify.Request, _res: restify.Response, err: Error & { statusCode?: number }, callback: () => void) => {
    // A body that never arrived whole (client abort, deadline) is counted by ClientTrouble, not an error of ours.
    if ((err.statusCode ?? 500) >= 500 && req.complete) log.error({ err, route: req.getRoute()?.path, requestId: req.id() }, 'request failed');
    callback();
  });
  return server;
}
