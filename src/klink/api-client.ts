/**
 * A client for klink's REST API (`GET /contacts/{id}`, `POST /messages/send`, bearer token), made to
 * be gentle and predictable: a timeout per request, bounded retries with exponential backoff and
 * jitter on 429, 5xx and network errors (honouring a capped `Retry-After`), a concurrency limit,
 * and typed errors a person can act on. A send is retried only when klink surely did not take it
 * (429, 503, connection refused), so a customer never gets a message twice. The token and message
 * text are never logged nor put in errors.
 */
import type { Logger } from '../log';
import { readContact, readSendResult, parseJson, type KlinkApiContact, type KlinkSendResult } from './api-answers';
import { backoffDelay, retryAfterMs, type BackoffPolicy } from './api-backoff';
import { KlinkApiError } from './api-errors';
import { exchange, type Call, type Target } from './api-exchange';
import { createLimiter } from './api-limiter';

export type { KlinkApiContact, KlinkSendResult };

export interface KlinkApiClient {
  /** The contact's name and tags; KlinkApiError `contact-not-found` when klink has no such contact. */
  getContact(contactId: string): Promise<KlinkApiContact>;
  /** Sends a text message to the contact on their channel, as the klink workspace. */
  sendText(input: { contactId: string; message: string; createdAt: Date }): Promise<KlinkSendResult>;
}

export interface KlinkApiClientOptions extends Partial<BackoffPolicy> {
  /** e.g. https://apigw.klinkcx.com/api/v1 (no trailing slash needed). */
  baseUrl: string;
  token: string;
  /** Each request (headers and body) must complete within this; default 10 s. */
  timeoutMs?: number;
  /** Tries per call, first one included; default 4. */
  maxAttempts?: number;
  /** Requests in flight at most; default 4. */
  concurrency?: number;
  /** 0 ≤ x < 1; default Math.random. */
  random?: () => number;
  /** Waits between attempts; default a real timer. Tests pass a recorder. */
  wait?: (ms: number) => Promise<void>;
  /** Epoch milliseconds, for Retry-After dates; default Date.now. */
  now?: () => number;
  log?: Logger;
}

const realWait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** One path segment for an id: URL-encoded, and never "." or ".." (which a URL would resolve away). */
function segment(id: string): string {
  if (id === '' || id === '.' || id === '..') throw new KlinkApiError('invalid-request', `"${id}" is not a klink contact id`);
  return encodeURIComponent(id);
}

/** Builds a klink API client. */
export function createKlinkApiClient(options: KlinkApiClientOptions): KlinkApiClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const target: Target = { baseUrl, host: new URL(baseUrl).host, token: options.token, timeoutMs: options.timeoutMs ?? 10_000 };
  const maxAttempts = options.maxAttempts ?? 4;
  const policy: BackoffPolicy = {
    baseDelayMs: options.baseDelayMs ?? 500,
    maxDelayMs: options.maxDelayMs ?? 8_000,
    maxRetryAfterMs: options.maxRetryAfterMs ?? 30_000,
  };
  const random = options.random ?? Math.random;
  const wait = options.wait ?? realWait;
  const now = options.now ?? Date.now;
  const limit = createLimiter(options.concurrency ?? 4);

  const request = async (call: Call): Promise<unknown> => {
    for (let attempts = 1; ; attempts++) {
      const result = await limit(() => exchange(target, call, attempts));
      if (result.ok) return parseJson(result.body, call.what);
      if (!result.retry || attempts >= maxAttempts) throw result.error;
      const delayMs = retryAfterMs(result.retryAfter, now(), policy.maxRetryAfterMs) ?? backoffDelay(attempts, policy, random);
      options.log?.warn(
        { op: call.what, code: result.error.code, status: result.error.status, attempt: attempts, delayMs },
        'klink API call failed; retrying',
      );
      await wait(delayMs);
    }
  };

  return {
    async getContact(contactId) {
      const path = `/contacts/${segment(contactId)}`;
      const notFound = (attempts: number) =>
        new KlinkApiError(
          'contact-not-found',
          `klink has no contact with id "${contactId}" (404); it may have been deleted or belong to another workspace`,
          404,
          attempts,
        );
      return readContact(await request({ method: 'GET', path, what: 'the contact look-up', idempotent: true, notFound }), contactId);
    },
    async sendText({ contactId, message, createdAt }) {
      const body = { contactId, messageType: 'text', message, createdAt: createdAt.toISOString() };
      const notFound = (attempts: number) =>
        new KlinkApiError(
          'contact-not-found',
          `klink could not send: it answered 404 for contact "${contactId}" (unknown contact, or check KLINK_API_BASE_URL)`,
          404,
          attempts,
        );
      return readSendResult(
        await request({ method: 'POST', path: '/messages/send', body, what: 'sending a message', idempotent: false, notFound }),
      );
    },
  };
}

/** The client for the configured klink API, or null when no KLINK_API_TOKEN is set. */
export function klinkApiClientFromConfig(
  config: { klinkApi: { token: string | null; baseUrl: string } },
  extra: Omit<KlinkApiClientOptions, 'baseUrl' | 'token'> = {},
): KlinkApiClient | null {
  const { token, baseUrl } = config.klinkApi;
  return token === null ? null : createKlinkApiClient({ ...extra, baseUrl, token });
}
