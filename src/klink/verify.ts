/**
 * Authentication of klink webhooks, done on the raw bytes before anything is parsed.
 *
 * klink signs with HMAC-SHA256 and a per-webhook secret and shows the signature as 64 hex
 * characters in `x-signature`; the signed bytes are not documented, so we take the raw body.
 * Several secrets may be configured at once while a secret is being rotated.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { WebhookAuth } from '../config';

export type VerifyResult =
  | { ok: true }
  /** `detail` helps diagnose a scheme mismatch; it never holds a secret or the body. */
  | { ok: false; reason: string; detail: Record<string, string | number | boolean> };

/** Checks a webhook request against the configured auth mode. */
export function verifyWebhook(auth: WebhookAuth, headers: IncomingHttpHeaders, rawBody: Buffer): VerifyResult {
  switch (auth.mode) {
    case 'signature':
      return verifySignature(auth.secrets, header(headers, 'x-signature'), rawBody);
    case 'basic':
      return verifyBasic(auth.user, auth.password, header(headers, 'authorization'));
    case 'header':
      return verifyHeader(auth.name, auth.value, header(headers, auth.name));
    case 'none':
      return { ok: true };
  }
}

/** hex(HMAC-SHA256(secret, body)); a `sha256=` prefix, white space and upper case are tolerated. */
export function signBody(secret: string, rawBody: Buffer | string): string {
  return createHmac('sha256', secret).update(rawBody).digest('hex');
}

function verifySignature(secrets: string[], given: string | null, rawBody: Buffer): VerifyResult {
  if (given === null) {
    return { ok: false, reason: 'missing x-signature header', detail: { signaturePresent: false } };
  }
  const normalized = given
    .trim()
    .replace(/^sha256=/i, '')
    .trim()
    .toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(normalized)) {
    return {
      ok: false,
      reason: 'x-signature is not 64 hex characters',
      detail: { signaturePresent: true, signatureLength: given.length, looksBase64: /^[A-Za-z0-9+/]+=*$/.test(given.trim()) },
    };
  }
  const expected = Buffer.from(normalized, 'hex');
  // Every secret is tried, so timing does not reveal which one matched.
  let matched = false;
  for (const secret of secrets) {
    const actual = createHmac('sha256', secret).update(rawBody).digest();
    if (timingSafeEqual(actual, expected)) matched = true;
  }
  if (matched) return { ok: true };
  return {
    ok: false,
    reason: 'x-signature does not match any configured secret',
    detail: { signaturePresent: true, signatureLength: given.length, secretsTried: secrets.length, bodyBytes: rawBody.length },
  };
}

function verifyBasic(user: string, password: string, given: string | null): VerifyResult {
  if (given === null || !/^basic\s+/i.test(given)) {
    return { ok: false, reason: 'missing Basic authorization', detail: { authorizationPresent: given !== null } };
  }
  const decoded = Buffer.from(given.replace(/^basic\s+/i, '').trim(), 'base64').toString('utf8');
  const expected = `${user}:${password}`;
  if (safeEqualText(decoded, expected)) return { ok: true };
  return { ok: false, reason: 'Basic credentials do not match', detail: { authorizationPresent: true } };
}

function verifyHeader(name: string, value: string, given: string | null): VerifyResult {
  if (given === null) return { ok: false, reason: `missing ${name} header`, detail: { headerPresent: false } };
  if (safeEqualText(given.trim(), value)) return { ok: true };
  return { ok: false, reason: `${name} header does not match`, detail: { headerPresent: true, headerLength: given.length } };
}

/** Constant-time comparison of two strings of any length (hashes first, so lengths do not leak). */
function safeEqualText(a: string, b: string): boolean {
  const digest = (s: string) => createHmac('sha256', 'klink-teams-compare').update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}

function header(headers: IncomingHttpHeaders, name: string): string | null {
  const value = headers[name.toLowerCase()];
  if (Array.isArray(value)) return value[0] ?? null;
  return value === undefined ? null : value;
}
