/**
 * One HTTP exchange with klink's API and what its outcome means: success with the answer text, or a
 * typed error and whether trying again is safe. A send (not idempotent) may be repeated only when
 * klink surely did not take it: 429, 503, or a connection that never opened.
 */
import { KlinkApiError, errorForStatus } from './api-errors';

/** Where and how to reach klink. */
export interface Target {
  baseUrl: string;
  /** For error messages: the host, never the token. */
  host: string;
  token: string;
  timeoutMs: number;
}

export interface Call {
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  /** Words for errors: "the contact look-up". */
  what: string;
  /** GET may be repeated freely; a send only when klink surely did not take it. */
  idempotent: boolean;
  notFound: (attempts: number) => KlinkApiError;
}

export type Attempt = { ok: true; body: string } | { ok: false; error: KlinkApiError; retry: boolean; retryAfter: string | null };

/** Network failures where the request never reached klink, so even a send may be repeated. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);

/** klink's answers are small JSON documents; anything bigger is not one of them and is not read on. */
export const MAX_ANSWER_BYTES = 1024 * 1024;

/** The answer's text, or null once it passes `limit` bytes (the rest is not read). */
async function readCapped(response: Response, limit: number): Promise<string | null> {
  if (response.body === null) return '';
  const reader: ReadableStreamDefaultReader<Uint8Array> = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function causeCode(error: unknown): string {
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  return typeof cause?.code === 'string' ? cause.code : error instanceof Error ? error.name : 'unknown';
}

/** Makes one request and classifies the outcome; never throws. */
export async function exchange(target: Target, call: Call, attempts: number): Promise<Attempt> {
  const { baseUrl, host, token, timeoutMs } = target;
  let response: Response;
  let body: string | null;
  try {
    response = await fetch(`${baseUrl}${call.path}`, {
      method: call.method,
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/json',
        ...(call.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: call.body === undefined ? undefined : JSON.stringify(call.body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    body = await readCapped(response, MAX_ANSWER_BYTES);
  } catch (error) {
    if (error instanceof Error && error.name === 'TimeoutError') {
      const message = call.idempotent
        ? `klink did not answer ${call.what} within ${timeoutMs / 1000} s after ${attempts} attempts; klink may be slow or down, try again later`
        : `klink did not answer ${call.what} within ${timeoutMs / 1000} s: the message may or may not have been sent; check the room in klink before sending again`;
      return {
        ok: false,
        error: new KlinkApiError(call.idempotent ? 'timeout' : 'outcome-unknown', message, null, attempts),
        retry: call.idempotent,
        retryAfter: null,
      };
    }
    const code = causeCode(error);
    const sent = !NOT_SENT_CODES.has(code);
    if (!call.idempotent && sent) {
      const message = `the connection to klink broke during ${call.what} (${code}): the message may or may not have been sent; check the room in klink before sending again`;
      return { ok: false, error: new KlinkApiError('outcome-unknown', message, null, attempts), retry: false, retryAfter: null };
    }
    const message = `klink could not be reached at ${host} for ${call.what} (${code}) after ${attempts} attempts; check KLINK_API_BASE_URL and the network, or try again later`;
    return { ok: false, error: new KlinkApiError('unavailable', message, null, attempts), retry: true, retryAfter: null };
  }
  const { status } = response;
  if (body === null) {
    const message = `klink's answer to ${call.what} is larger than 1 MiB, which no klink answer should be; check KLINK_API_BASE_URL points at klink's API`;
    return { ok: false, error: new KlinkApiError('malformed-answer', message, status, attempts), retry: false, retryAfter: null };
  }
  if (status >= 200 && status < 300) return { ok: true, body };
  if (status === 404) return { ok: false, error: call.notFound(attempts), retry: false, retryAfter: null };
  const retryAfter = response.headers.get('retry-after');
  if (!call.idempotent && (status === 500 || status === 502 || status === 504)) {
    const message = `klink answered ${status} to ${call.what}: the message may or may not have been sent; check the room in klink before sending again`;
    return { ok: false, error: new KlinkApiError('outcome-unknown', message, status, attempts), retry: false, retryAfter };
  }
  return { ok: false, error: errorForStatus(status, call.what, attempts), retry: status === 429 || status >= 500, retryAfter };
}
