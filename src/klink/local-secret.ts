/** Local mode without a configured secret: a generated signing secret kept under the data folder. */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const LOCAL_SECRET_FILE = 'webhook-secret';

/** Reads the local secret, creating it on first use; returns it and whether it was just created. */
export function ensureLocalWebhookSecret(dataDir: string): { secret: string; file: string; created: boolean } {
  const file = path.join(dataDir, LOCAL_SECRET_FILE);
  const existing = readLocalWebhookSecret(dataDir);
  if (existing !== null) return { secret: existing, file, created: false };
  fs.mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('hex');
  fs.writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  return { secret, file, created: true };
}

/** The local secret if one was generated before, else null. */
export function readLocalWebhookSecret(dataDir: string): string | null {
  const file = path.join(dataDir, LOCAL_SECRET_FILE);
  if (!fs.existsSync(file)) return null;
  const secret = fs.readFileSync(file, 'utf8').trim();
  return secret === '' ? null : secret;
}
