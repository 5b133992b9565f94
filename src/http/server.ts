/** The HTTP surface: one restify server, the routes of the DESIGN's "HTTP" table. */
import restify from 'restify';
import type { CloudAdapter } from 'botbuilder';
import type { KlinkBot } from '../bot/klink-bot';
import { type Connections, DEFAULT_CONNECTION } from '../klink/connections';
import type { WebhookDeps } from '../klink/receive-webhook';
import type { Logger } from '../log';
import { type HealthDeps, healthRoutes } from './health-routes';
import { privacyPage, termsPage } from './pages';
import { webhookHandler } from './webhook-route';

export interface ServerDeps {
  log: Logger;
  adapter: CloudAdapter;
  bot: KlinkBot;
  connections: Connections;
  webhook: WebhookDeps;
  health: HealthDeps;
}

export function createServer(deps: ServerDeps): restify.Server {
  const server = restify.createServer({ name: 'klink-teams', handleUncaughtExceptions: false });
  const { log } = deps;
  healthRoutes(server, deps.health);

  server.post('/api/messages', restify.plugins.bodyParser({ maxBodySize: 1024 * 1024 }), async (req, res) => {
    await deps.adapter.process(req, res, (context) => deps.bot.run(context));
  });

  server.post('/api/klink/webhook', webhookHandler(() => deps.connections.resolve(DEFAULT_CONNECTION), deps.webhook));
  server.post('/api/klink/webhook/:connectionId', webhookHandler((req) => deps.connections.resolve(routeParam(req, 'connectionId')), deps.webhook));

  server.get('/privacy', privacyPage);
  server.get('/terms', termsPage);

  server.on('restifyError', (req: restify.Request, _res: restify.Response, err: Error & { statusCode?: number }, callback: () => void) => {
    if ((err.statusCode ?? 500) >= 500) log.error({ err, route: req.getRoute()?.path, requestId: req.id() }, 'request failed');
    callback();
  });
  return server;
}

/** A named route parameter as text; empty when restify found none. */
function routeParam(req: restify.Request, name: string): string {
  const params: unknown = req.params;
  if (typeof params !== 'object' || params === null) return '';
  const value: unknown = (params as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : '';
}
