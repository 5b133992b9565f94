/**
 * `POST /api/messages`: Bot Framework activities. A token that cannot be validated is 401; when
 * login.botframework.com's (or Entra's) OpenID metadata or keys cannot be fetched it is our outage:
 * 503, which the Bot Connector retries. Anything else that fails is 500 with a correlation id.
 * No answer carries a library's message; the log has it under the correlation id.
 */
import type { Activity, TurnContext } from 'botbuilder';
import { AuthenticationError } from 'botframework-connector';
import type { Request, Response } from 'restify';
import type { Logger } from '../log';
import type { BotAdapter } from '../teams/bot-adapter';
import { internalErrorBody, newCorrelationId, unavailableBody } from './error-answer';

export interface MessagesDeps {
  adapter: BotAdapter;
  bot: { run(context: TurnContext): Promise<void> };
  log: Logger;
  /** Local mode (no tokens are sent) may use http service URLs; otherwise only https is accepted. */
  allowHttpServiceUrls: boolean;
}

export type ActivityFailure = 'unauthorized' | 'unavailable' | 'internal';

/** Socket-level failures of a fetch: the other side could not be reached or did not answer. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

export function messagesHandler(deps: MessagesDeps) {
  return async (req: Request, res: Response): Promise<void> => {
    const activity = readActivity(req.body);
    if (activity === null) {
      res.send(400, { ok: false, error: 'the body is not a Bot Framework activity (a JSON object with a type)' });
      return;
    }
    if (!deps.allowHttpServiceUrls && !isHttpsServiceUrl(activity.serviceUrl)) {
      // Refused before authentication and the turn: a reply would carry the bot's bearer token.
      // Debug: anyone can send this without a token, so it must not be a way to fill the log.
      deps.log.debug({ activityType: activity.type }, 'activity refused: its serviceUrl is not https');
      res.send(400, { ok: false, error: 'serviceUrl must be an https URL' });
      return;
    }
    const authorization = req.headers.authorization;
    let turnStarted = false;
    try {
      const invoke = await deps.adapter.run(typeof authorization === 'string' ? authorization : '', activity, async (context) => {
        turnStarted = true;
        await deps.bot.run(context);
      });
      if (invoke?.body === undefined) res.send(invoke?.status ?? 200);
      else res.send(invoke.status, invoke.body);
    } catch (err) {
      answerFailure(res, deps.log, err, classifyActivityFailure(err, turnStarted));
    }
  };
}

/** Before the turn starts only authentication runs: its failures are the caller's token (401) or our outage (503). */
export function classifyActivityFailure(err: unknown, turnStarted: boolean): ActivityFailure {
  if (turnStarted) return 'internal';
  if (err instanceof AuthenticationError) return err.statusCode >= 500 ? 'unavailable' : 'unauthorized';
  if (isNetworkError(err)) return 'unavailable';
  return 'internal';
}

/** An absent serviceUrl is left to botbuilder (it refuses it); a present one must parse as https. */
function isHttpsServiceUrl(serviceUrl: unknown): boolean {
  if (serviceUrl === undefined) return true;
  if (typeof serviceUrl !== 'string') return false;
  return URL.canParse(serviceUrl) && new URL(serviceUrl).protocol === 'https:';
}

function isNetworkError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as NodeJS.ErrnoException).code;
  return err.name === 'FetchError' || err.name === 'AbortError' || (typeof code === 'string' && NETWORK_CODES.has(code));
}

function answerFailure(res: Response, log: Logger, err: unknown, failure: ActivityFailure): void {
  if (failure === 'unauthorized') {
    log.info({ reason: err instanceof Error ? err.message : 'unknown' }, 'activity refused: its token could not be validated');
    res.send(401, { ok: false, error: 'unauthorized' });
    return;
  }
  const correlationId = newCorrelationId();
  if (failure === 'unavailable') {
    log.warn({ err, correlationId }, 'activity not processed: the Bot Framework OpenID metadata or keys could not be fetched');
    res.header('retry-after', '30');
    res.send(503, unavailableBody(correlationId));
    return;
  }
  log.error({ err, correlationId }, 'activity failed');
  res.send(500, internalErrorBody(correlationId));
}

/** The parsed body as an activity: an object with a string `type`; timestamps as botbuilder expects them (Dates). */
function readActivity(body: unknown): Activity | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
  const activity = body as Record<string, unknown>;
  if (typeof activity.type !== 'string') return null;
  for (const [field, raw] of [
    ['timestamp', 'rawTimestamp'],
    ['localTimestamp', 'rawLocalTimestamp'],
    ['expiration', 'rawExpiration'],
  ] as const) {
    const value = activity[field];
    if (typeof value === 'string') {
      activity[raw] = value;
      activity[field] = new Date(value);
    }
  }
  return activity as unknown as Activity;
}
