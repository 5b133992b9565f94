/**
 * `npm run send-sample -- <sample> [--keep-id] [--url <webhook url>]`
 *
 * Sends a klink sample webhook to the local bot, authenticated the way the bot expects
 * (signed with the configured or locally generated secret, or Basic / header credentials).
 * `<sample>` is a name under samples/ (e.g. message.inbound), a path to a JSON file, or `vip`
 * (a VIP contact update followed by a WhatsApp message from that contact).
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { type Config, loadConfig } from '../src/config';
import { readLocalWebhookSecret } from '../src/klink/local-secret';
import { signBody } from '../src/klink/verify';

const SAMPLES_DIR = path.resolve(__dirname, '../samples');
const BUNDLES: Record<string, string[]> = { vip: ['contact.vip', 'message.inbound'] };

/** Authentication headers for a body, per the configured webhook auth mode. */
export function authHeaders(config: Readonly<Config>, body: string): Record<string, string> {
  const auth = config.webhook;
  switch (auth.mode) {
    case 'signature': {
      const secret = auth.secrets[0] ?? readLocalWebhookSecret(config.dataDir);
      if (!secret)
        throw new Error(
          `no signing secret: set KLINK_WEBHOOK_SECRET, or start the bot once in local mode so it creates ${path.join(config.dataDir, 'webhook-secret')}`,
        );
      return { 'x-signature': signBody(secret, body) };
    }
    case 'basic':
      return { authorization: `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}` };
    case 'header':
      return { [auth.name]: auth.value };
    case 'none':
      return {};
  }
}

/** The files a sample name stands for. */
export function resolveSample(name: string): string[] {
  if (BUNDLES[name]) return BUNDLES[name].map((n) => path.join(SAMPLES_DIR, `${n}.json`));
  if (fs.existsSync(name)) return [path.resolve(name)];
  const named = path.join(SAMPLES_DIR, `${name.replace(/\.json$/, '')}.json`);
  if (fs.existsSync(named)) return [named];
  const known = fs.readdirSync(SAMPLES_DIR).map((f) => f.replace(/\.json$/, ''));
  throw new Error(`unknown sample "${name}": use a file path, "vip", or one of ${known.join(', ')}`);
}

/** Message samples get a fresh data.id so that sending one twice shows two cards (unless keepId). */
export function prepareBody(file: string, keepId: boolean): string {
  const json = JSON.parse(fs.readFileSync(file, 'utf8')) as { event?: string; data?: { id?: string; createdAt?: string } };
  if (!keepId && json.event?.startsWith('message.') && json.data) {
    json.data.id = randomUUID();
    json.data.createdAt = new Date().toISOString();
  }
  return JSON.stringify(json);
}

async function main(argv: string[]): Promise<number> {
  const urlIndex = argv.indexOf('--url');
  const args = argv.filter((a, i) => !a.startsWith('--') && !(urlIndex >= 0 && i === urlIndex + 1));
  const keepId = argv.includes('--keep-id');
  const config = loadConfig(process.env);
  const url = urlIndex >= 0 ? argv[urlIndex + 1] : `http://127.0.0.1:${config.port}/api/klink/webhook`;
  if (args.length !== 1 || (urlIndex >= 0 && !url)) {
    process.stderr.write('usage: npm run send-sample -- <sample|vip|file.json> [--keep-id] [--url <webhook url>]\n');
    return 2;
  }
  for (const file of resolveSample(args[0])) {
    const body = prepareBody(file, keepId);
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...authHeaders(config, body) },
      body,
    });
    process.stdout.write(`${path.basename(file)} → ${response.status} ${await response.text()}\n`);
    if (response.status !== 200) return 1;
  }
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`send-sample: ${(err as Error).message}\n`);
      process.exit(1);
    },
  );
}
