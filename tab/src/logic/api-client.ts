/**
 * The tab's API client. Every call carries `Authorization: Bearer <Teams SSO token>`; a 401 gets
 * a fresh token once (silently) and one retry, and a second 401 is a sign-in failure. When Teams
 * gives no token the call still goes out without one (a local-mode server answers it anyway) and
 * a 401 then reports why the token could not be had. Framework-free: `fetch` and the token source
 * are injected.
 */
import { type ApiFailure, answerFailure } from './api-failure';
import type { AddAnswer, Delivery, FilterCheck, Me, MutedRoom, SubscriptionList, Vocabulary } from './api-types';

export type TokenAnswer = { ok: true; token: string } | { ok: false; reason: string };

/** Teams SSO: `fresh` after a 401, so a cached token is not handed out again. */
export type TokenSource = (fresh: boolean) => Promise<TokenAnswer>;

export type ApiResult<T> = { ok: true; status: number; value: T } | { ok: false; failure: ApiFailure };

export type Fetch = (url: string, init: RequestInit) => Promise<Response>;

export class TabApi {
  /** The token in use (or being fetched), shared by calls made at the same time. */
  private token: Promise<TokenAnswer> | null = null;

  constructor(
    private readonly base: string,
    private readonly tokens: TokenSource,
    private readonly fetcher: Fetch = (url, init) => fetch(url, init),
  ) {}

  vocabulary = () => this.call<Vocabulary>('GET', '/api/tab/vocabulary');
  me = () => this.call<Me>('GET', '/api/tab/me');
  subscriptions = (cid: string) => this.call<SubscriptionList>('GET', `${conv(cid)}/subscriptions`);
  addSubscription = (cid: string, filters: string) => this.call<AddAnswer>('POST', `${conv(cid)}/subscriptions`, { filters });
  removeSubscription = (cid: string, id: number) => this.call<unknown>('DELETE', `${conv(cid)}/subscriptions/${id}`);
  checkFilters = (cid: string, filters: string) => this.call<FilterCheck>('POST', `${conv(cid)}/filters/check`, { filters });
  mutedRooms = (cid: string) => this.call<{ mutedRooms: MutedRoom[] }>('GET', `${conv(cid)}/muted-rooms`);
  unmute = (cid: string, roomId: string) => this.call<unknown>('DELETE', `${conv(cid)}/muted-rooms/${encodeURIComponent(roomId)}`);
  deliveries = (cid: string) => this.call<{ deliveries: Delivery[] }>('GET', `${conv(cid)}/deliveries`);
  retry = (cid: string, id: number) => this.call<{ requeued: number }>('POST', `${conv(cid)}/deliveries/${id}/retry`);
  retryDead = (cid: string) => this.call<{ requeued: number }>('POST', `${conv(cid)}/deliveries/retry-dead`);

  /** One call: token, request, and on 401 one fresh token and one retry. */
  async call<T>(method: string, path: string, body?: unknown): Promise<ApiResult<T>> {
    const used = (this.token ??= this.tokens(false));
    let answer = await this.send(method, path, body, used);
    if (!unauthorized(answer)) return answer as ApiResult<T>;
    // Calls refused together share one fresh token.
    if (this.token === used) this.token = this.tokens(true);
    const fresh = this.token;
    answer = await this.send(method, path, body, fresh);
    if (!unauthorized(answer)) return answer as ApiResult<T>;
    const token = await fresh;
    if (!token.ok) return { ok: false, failure: { kind: 'token', reason: token.reason } };
    return { ok: false, failure: { kind: 'sign-in', detail: answer.failure.kind === 'problem' ? answer.failure.detail : '' } };
  }

  private async send(method: string, path: string, body: unknown, tokenAnswer: Promise<TokenAnswer>): Promise<ApiResult<unknown>> {
    const token = await tokenAnswer;
    const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
    if (token.ok) headers.authorization = `Bearer ${token.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    let parsed: unknown;
    try {
      response = await this.fetcher(this.base + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'omit',
      });
      const text = await response.text();
      parsed = parseJson(text);
    } catch (err) {
      return { ok: false, failure: { kind: 'network', reason: err instanceof Error ? err.message : String(err) } };
    }
    if (response.ok) return { ok: true, status: response.status, value: parsed };
    return { ok: false, failure: answerFailure(response.status, response.headers.get('content-type') ?? '', parsed) };
  }
}

function unauthorized(answer: ApiResult<unknown>): answer is { ok: false; failure: ApiFailure } {
  return !answer.ok && answer.failure.kind === 'problem' && answer.failure.status === 401;
}

function conv(cid: string): string {
  return `/api/tab/conversations/${encodeURIComponent(cid)}`;
}

function parseJson(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
