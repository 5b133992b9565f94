/** The HTTP surface: one restify server, the routes of the DESIGN's "HTTP" table. */
import restify from 'restify';
import type { KlinkBot } from '../bot/klink-bot';
import { type Connections, DEFAULT_CONNECTION } from '../klink/connections';
import type { WebhookDeps } from '../klink/receive-webhook';
import type { Logger } from '../log';
import type { BotAdapter } from '../teams/bot-adapter';
import { ClientTrouble, routeLabel } from './client-trouble';
import { internalErrorBody, newCorrelationId } from './error-answer';
import { type HealthDeps, healthRoutes } from './health-routes';
import { messagesHandler } from './messages-route';
import { requestDeadline } from './request-deadline';
import { routeParam } from './route-param';
import { privacyPage, termsPage } from './pages';
import { webhookHandler } from './webhook-route';

export interface ServerDeps {
  log: Logger;
  adapter: BotAdapter;
  bot: KlinkBot;
  connections: Connections;
  webhook: WebhookDeps;
  health: HealthDeps;
  /** Local mode (or a test's fake Bot Connector): activities may name http service URLs. */
  allowHttpServiceUrls: boolean;
  /** A request body still arriving this long after the headers is cut off with 408. */
  requestTimeoutMs: number;
  now: () => number;
}

export function createServer(deps: ServerDeps): restify.Server {
  const server = restify.createServer({ name: 'klink-teams', handleUncaughtExceptions: false });
  const { log } = deps;
  const trouble = new ClientTrouble(log, deps.now);
  server.pre((req, _res, next) => {
    trouble.watch(req, routeLabel(req));
    return next();
  });
  server.pre(requestDeadline(deps.requestTimeoutMs, trouble));
  healthRoutes(server, deps.health);

  server.post(
    '/api/messages',
    restify.plugins.bodyParser({ maxBodySize: 1024 * 1024 }),
    messagesHandler({ adapter: deps.adapter, bot: deps.bot, log, allowHttpServiceUrls: deps.allowHttpServiceUrls }),
  );

  server.post(
    '/api/klink/webhook',
    answerFailures(
      log,
      webhookHandler(() => deps.connections.resolve(DEFAULT_CONNECTION), deps.webhook),
    ),
  );
  server.post(
    '/api/klink/webhook/:connectionId',
    answerFailures(
      log,
      webhookHandler((req) => deps.connections.resolve(routeParam(req, 'connectionId')), deps.webhook),
    ),
  );

  server.get('/privacy', privacyPage);
  server.get('/terms', termsPage);

  // A failure no route answered itself: restify would send the error's own message (a library's
  // text). The caller gets a generic text and a correlation id; the log gets the error under that
  // id. Answering here is how restify lets a listener replace its answer (it skips a sent response).
  // A body that never arrived whole (client abort, deadline) is counted by ClientTrouble, not logged
  // as an error of ours.
  server.on('restifyError', (req: restify.Request, res: restify.Response, err: Error & { statusCode?: number }, callback: () => void) => {
    if ((err.statusCode ?? 500) >= 500) {
      const correlationId = newCorrelationId();
      const fields = { err, correlationId, route: req.getRoute()?.path, requestId: req.id() };
      if (req.complete) log.error(fields, 'request failed');
      else log.debug(fields, 'request failed after its body stopped arriving');
      if (!res.headersSent) res.send(500, internalErrorBody(correlationId));
    }
    callback();
  });
  return server;
}

/**
 * A route whose failure is answered here (500, generic text, correlation id; details logged)
 * rather than by restify, which dispatches an error by its name as an event: a store error named
 * like one of the server's own events would never be answered.
 */
function answerFailures(log: Logger, handler: (req: restify.Request, res: restify.Response) => Promise<void>) {
  return async (req: restify.Request, res: restify.Response): Promise<void> => {
    try {
      await handler(req, res);
    } catch (err) {
      const correlationId = newCorrelationId();
      log.error({ err, correlationId, route: req.getRoute()?.path, requestId: req.id() }, 'request failed');
      if (!res.headersSent) res.send(500, internalErrorBody(correlationId));
    }
  };
}
