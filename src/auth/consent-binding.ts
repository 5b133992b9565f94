/**
 * Binds an admin-consent `state` to the browser that started the flow: `/admin/consent` sets a
 * random secret in a cookie and puts only its hash into the signed state, so a state that leaks
 * (a log, a shared link, a Referer) is useless in any other browser. The cookie is HttpOnly (no
 * script reads it), Secure (only over https: consent runs outside local mode, behind https),
 * SameSite=Lax (sent on Entra's top-level redirect back, not on cross-site subrequests), scoped to
 * the consent paths, and lives no longer than the state.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const BINDING_COOKIE = 'klink_consent';
const COOKIE_PATH = '/admin/consent';

/** A new secret for the cookie and its hash for the state. */
export function newBinding(): { secret: string; hash: string } {
  const secret = randomBytes(32).toString('base64url');
  return { secret, hash: bindingHash(secret) };
}

export function bindingHash(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('base64url');
}

/** Whether the browser's cookie is the one whose hash the state carries (constant-time). */
export function bindingMatches(hash: string, secret: string | null): boolean {
  if (secret === null) return false;
  const expected = Buffer.from(hash, 'utf8');
  const actual = Buffer.from(bindingHash(secret), 'utf8');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** `Set-Cookie` for a new binding, valid `maxAgeMs`. */
export function bindingCookie(secret: string, maxAgeMs: number): string {
  return `${BINDING_COOKIE}=${secret}; Path=${COOKIE_PATH}; Max-Age=${Math.ceil(maxAgeMs / 1000)}; HttpOnly; Secure; SameSite=Lax`;
}

/** `Set-Cookie` that removes the binding (the callback used it up). */
export function clearedBindingCookie(): string {
  return `${BINDING_COOKIE}=; Path=${COOKIE_PATH}; Max-Age=0; HttpOnly; Secure; SameSite=Lax`;
}

/** The binding secret from a `Cookie` header, or null. */
export function readBindingCookie(header: string | undefined): string | null {
  if (header === undefined) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === BINDING_COOKIE) {
      const value = part.slice(eq + 1).trim();
      return /^[A-Za-z0-9_-]{43}$/.test(value) ? value : null;
    }
  }
  return null;
}
