/**
 * Secrets kept in the store (signing secrets of further klink connections) are sealed with
 * AES-256-GCM under DATA_ENCRYPTION_KEY; tokens we hand out (admin consent `state`) are signed
 * with a key derived from it. A database copy alone reveals no secret.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

const VERSION = 'v1';

/** Encrypts `plaintext`; the result is `v1:<base64 iv|tag|ciphertext>`. */
export function seal(key: Buffer, plaintext: string, context: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', subKey(key, 'seal'), iv);
  cipher.setAAD(Buffer.from(context));
  const encrypted = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), encrypted]).toString('base64')}`;
}

/** Decrypts what `seal` produced with the same key and context; throws if it was altered or the key differs. */
export function open(key: Buffer, sealed: string, context: string): string {
  const [version, body] = sealed.split(':');
  if (version !== VERSION || !body) throw new Error('not a sealed secret');
  const raw = Buffer.from(body, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', subKey(key, 'seal'), raw.subarray(0, 12));
  decipher.setAAD(Buffer.from(context));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
}

/** Signs a small JSON payload: `<base64url payload>.<base64url hmac>`. */
export function signToken(key: Buffer, payload: object, purpose: string): string {
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${body}.${mac(key, purpose, body)}`;
}

/** Verifies a token from `signToken`; returns its payload, or null if forged or malformed. */
export function verifyToken(key: Buffer, token: string, purpose: string): unknown {
  const [body, signature] = token.split('.');
  if (!body || !signature) return null;
  const expected = Buffer.from(mac(key, purpose, body));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  try {
    return JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as unknown;
  } catch {
    return null;
  }
}

function mac(key: Buffer, purpose: string, body: string): string {
  return createHmac('sha256', subKey(key, `sign:${purpose}`))
    .update(body)
    .digest('base64url');
}

function subKey(key: Buffer, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), `klink-teams ${info}`, 32));
}
