/**
 * A small Bot Connector REST client for proactive posts. botbuilder's ConnectorClient retries
 * on its own (up to 4 calls, waiting any Retry-After without bound) where no caller can see it;
 * delivery must count every request against Teams' rate limits and decide about retries itself,
 * so it calls the REST API directly: one call, one request, a timeout, and a typed error.
 */
import type { Activity } from 'botbuilder';
import { HttpTransport, HttpTransportError } from './http-transport';
import { TeamsSendError } from './sender';

/** Supplies the bearer token for the Bot Connector, or null when authentication is disabled (local mode). */
export interface TokenSource {
  token(): Promise<string | null>;
}

export interface ConversationCreated {
  /** Null when Teams took the activity (a 2xx) but its answer named no conversation. */
  conversationId: string | null;
  activityId: string | null;
}

export interface ConnectorClientOptions {
  tokens: TokenSource;
  /** Longest one call may take, getting the bot token included. */
  timeoutMs: number;
  /**
   * Whether plain-http service URLs may be called: local mode only, where no token is sent. Otherwise
   * an http service URL (from an activity or a stored conversation) is refused before a token is
   * even requested: a bearer token must never travel unencrypted. Default false.
   */
  allowHttp?: boolean;
}

export class BotConnectorClient {
  private readonly http: HttpTransport;

  constructor(private readonly options: ConnectorClientOptions) {
    this.http = new HttpTransport(options.timeoutMs);
  }

  /** Closes kept-alive connections; the client can still be used afterwards (it reconnects). */
  close(): void {
    this.http.close();
  }

  /**
   * `POST /v3/conversations`: in a channel, a new thread whose root is `activity`. A 2xx means Teams
   * took it, whatever the body: an answer without ids (empty, not JSON) is still a success, so the
   * activity is never posted twice; only its ids are unknown.
   */
  async createConversation(serviceUrl: string, parameters: Record<string, unknown>): Promise<ConversationCreated> {
    const body = await this.call('POST', serviceUrl, '/v3/conversations', parameters);
    return {
      conversationId: typeof body.id === 'string' && body.id !== '' ? body.id : null,
      activityId: typeof body.activityId === 'string' && body.activityId !== '' ? body.activityId : null,
    };
  }

  /** `POST /v3/conversations/{id}/activities`: a new message in the conversation; its id, when the 2xx answer names one. */
  async sendToConversation(serviceUrl: string, conversationId: string, activity: Partial<Activity>): Promise<string | null> {
    const body = await this.call('POST', serviceUrl, `/v3/conversations/${enc(conversationId)}/activities`, activity);
    return typeof body.id === 'string' && body.id !== '' ? body.id : null;
  }

  /** `PUT /v3/conversations/{id}/activities/{activityId}`: replaces a posted card. */
  async updateActivity(serviceUrl: string, conversationId: string, activityId: string, activity: Partial<Activity>): Promise<void> {
    await this.call('PUT', serviceUrl, `/v3/conversations/${enc(conversationId)}/activities/${enc(activityId)}`, {
      ...activity,
      id: activityId,
    });
  }

  /**
   * `GET /v3/conversations/{id}/members/{memberId}`: whether `memberId` (a 29: id or, in Teams, the
   * user's Entra object id) is in the team or chat; false when Teams answers 404 (not a member).
   */
  async isMember(serviceUrl: string, conversationId: string, memberId: string): Promise<boolean> {
    try {
      await this.call('GET', serviceUrl, `/v3/conversations/${enc(conversationId)}/members/${enc(memberId)}`, null);
      return true;
    } catch (err) {
      if (err instanceof TeamsSendError && err.status === 404) return false;
      throw err;
    }
  }

  /**
   * The bearer token, within `timeoutMs`. Entra refusing the bot's credentials (AADSTS…) is a 401
   * like Teams' own; Entra unreachable is a network error (retried).
   */
  private async token(timeoutMs: number): Promise<string | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TeamsSendError('token request timed out', null, 'Timeout', null)), timeoutMs);
    });
    try {
      return await Promise.race([this.options.tokens.token(), timeout]);
    } catch (err) {
      if (err instanceof TeamsSendError) throw err;
      const message = err instanceof Error ? err.message : String(err);
      const code = /AADSTS\d+/.exec(message)?.[0] ?? null;
      throw new TeamsSendError(`bot token: ${code ?? 'request failed'}`, code ? 401 : null, code ?? 'TokenUnavailable', null);
    } finally {
      clearTimeout(timer);
    }
  }

  private async call(method: string, serviceUrl: string, path: string, payload: unknown): Promise<Record<string, unknown>> {
    let url: URL;
    try {
      url = new URL(`${serviceUrl.replace(/\/+$/, '')}${path}`);
    } catch {
      throw new TeamsSendError("the conversation's service URL is not a URL", null, 'BadServiceUrl', null);
    }
    if (url.protocol !== 'https:' && this.options.allowHttp !== true) {
      throw new TeamsSendError(`the conversation's service URL is not https (${url.protocol})`, null, 'InsecureServiceUrl', null);
    }
    // One deadline for the token and the request together: a call never takes longer than the
    // timeout, which delivery relies on (a claim is not used for a call that could outlast it).
    const deadline = Date.now() + this.options.timeoutMs;
    const headers: Record<string, string> = payload === null ? {} : { 'content-type': 'application/json; charset=utf-8' };
    const token = await this.token(this.options.timeoutMs);
    if (token !== null) headers.authorization = `Bearer ${token}`;
    const left = deadline - Date.now();
    if (left <= 0) throw new TeamsSendError('token request took the whole timeout', null, 'Timeout', null);
    let answer;
    try {
      answer = await this.http.request(method, url, headers, payload === null ? '' : JSON.stringify(payload), left);
    } catch (err) {
      const code = err instanceof HttpTransportError ? err.code : 'NetworkError';
      throw new TeamsSendError(`${method} ${path.split('/')[2] ?? ''} failed: ${code}`, null, code, null);
    }
    const body = parseObject(answer.text);
    if (answer.status >= 200 && answer.status < 300) return body;
    const error = body.error as { code?: unknown } | undefined;
    const code = typeof error?.code === 'string' ? error.code : null;
    const retryAfter = answer.headers['retry-after'];
    throw new TeamsSendError(
      `Bot Connector answered ${answer.status}${code ? ` ${code}` : ''}`,
      answer.status,
      code,
      parseRetryAfter(typeof retryAfter === 'string' ? retryAfter : null),
    );
  }
}

/** Retry-After as seconds or an HTTP date, in milliseconds. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (value === null) return null;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  // Otherwise only an HTTP-date (e.g. "Wed, 21 Oct 2026 07:28:00 GMT") is valid.
  if (!/^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(trimmed)) return null;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

function parseObject(text: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function enc(value: string): string {
  return encodeURIComponent(value);
}
