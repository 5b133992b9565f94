/**
 * `npm run connections -- <command>`: further klink connections (klink workspaces), each for one
 * Entra tenant, with its own webhook URL and signing secret.
 *
 *   add --tenant <tenant id> --name <name> --secret <klink signing secret | ->   (- reads it from stdin)
 *   set <connection id> [--api-token-file <file | ->] [--no-api-token] [--reply on|off|default]
 *   list
 *   remove <connection id>
 *   --help
 *
 * The secret and the API token are sealed with DATA_ENCRYPTION_KEY before they are stored; the
 * token is read from a file or stdin, never from the command line (where `ps` would show it), and
 * never printed. The default connection (KLINK_WEBHOOK_SECRET, KLINK_API_TOKEN, KLINK_REPLY, at
 * /api/klink/webhook) is configured in the environment instead.
 */
import { parseArgs } from 'node:util';
import { readFile } from 'node:fs/promises';
import { addConnection, sealApiToken } from '../src/klink/connections';
import type { Store } from '../src/store/store';
import type { Config } from '../src/config';
import { USAGE_EXIT, parseOrUsage, runOperatorCommand } from './operator-cli';

const USAGE =
  'usage: npm run connections -- add --tenant <tenant id> --name <name> --secret <secret|-> | ' +
  'set <id> [--api-token-file <file|->] [--no-api-token] [--reply on|off|default] | list | remove <id>\n';
export const CONNECTIONS_HELP = `${USAGE}
  add --tenant <tenant id> --name <name> --secret <secret|->
                         a further klink workspace for one Entra tenant; prints its webhook URL
                         (--secret - reads the signing secret from stdin; a value starting
                         with - is given as --name=-value)
  set <connection id> [--api-token-file <file|->] [--no-api-token] [--reply on|off|default]
                         the connection's klink API token (klink → Settings → API Tokens), read
                         from the file (- : stdin), stored sealed, never printed; --no-api-token
                         removes it. --reply: may Teams users answer this workspace's customers
                         from cards (needs a token; default: as KLINK_REPLY says, off wins)
  list                   the further connections, whether each has an API token, and its reply setting
  remove <connection id> removes one: its webhook URL answers 404 from then on
  --help                 this text
The default connection (KLINK_WEBHOOK_SECRET, /api/klink/webhook) is set in the environment.
`;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function runConnectionsCommand(
  store: Store,
  config: Readonly<Config>,
  argv: string[],
  io: { out: (text: string) => void; readStdin: () => Promise<string>; readFile?: (path: string) => Promise<string>; now: number },
): Promise<number> {
  const parsed = parseOrUsage(
    () =>
      parseArgs({
        args: argv,
        allowPositionals: true,
        strict: true,
        options: {
          tenant: { type: 'string' },
          name: { type: 'string' },
          secret: { type: 'string' },
          'api-token-file': { type: 'string' },
          'no-api-token': { type: 'boolean' },
          reply: { type: 'string' },
        },
      }),
    USAGE,
    io.out,
  );
  if (parsed === null) return USAGE_EXIT;
  const [command, ...rest] = parsed.positionals;
  const option = (name: 'tenant' | 'name' | 'secret' | 'api-token-file' | 'reply') => parsed.values[name] ?? null;
  switch (command) {
    case 'add': {
      if (rest.length > 0) {
        io.out(USAGE);
        return USAGE_EXIT;
      }
      const tenant = option('tenant');
      const name = option('name');
      let secret = option('secret');
      if (secret === '-') secret = (await io.readStdin()).trim();
      const problems: string[] = [];
      if (tenant === null || !GUID.test(tenant))
        problems.push("--tenant must be the Entra tenant id (GUID) whose channels may receive this workspace's messages");
      if (name === null || name.trim() === '') problems.push('--name must name the klink workspace, e.g. "Acme support"');
      if (secret === null || secret === '')
        problems.push("--secret must be the webhook's signing secret from klink → Settings → Webhooks (or - to read it from stdin)");
      if (config.dataEncryptionKey === null)
        problems.push('DATA_ENCRYPTION_KEY is not set: secrets are stored sealed with it (openssl rand -base64 32)');
      if (problems.length > 0 || tenant === null || name === null || secret === null || config.dataEncryptionKey === null) {
        io.out(`${problems.map((p) => `- ${p}`).join('\n')}\n${USAGE}`);
        return USAGE_EXIT;
      }
      const { id } = await addConnection(store, config.dataEncryptionKey, { tenantId: tenant, name: name.trim(), secret }, io.now);
      const base = config.publicUrl ?? `http://localhost:${config.port}`;
      io.out(
        `connection ${id} added for tenant ${tenant.toLowerCase()}\nwebhook URL: ${base}/api/klink/webhook/${id}\n` +
          "Set it as the endpoint of the klink webhook (Settings → Webhooks); its events reach only that tenant's channels.\n",
      );
      return 0;
    }
    case 'set':
      return setConnection(
        store,
        config,
        rest,
        { tokenFile: option('api-token-file'), noToken: parsed.values['no-api-token'] === true, reply: option('reply') },
        io,
      );
    case 'list': {
      if (rest.length > 0 || Object.keys(parsed.values).length > 0) {
        io.out(USAGE);
        return USAGE_EXIT;
      }
      const connections = await store.tenants.listConnections();
      if (connections.length === 0) io.out('no further connections (the default one is configured in the environment)\n');
      for (const c of connections) {
        const token = c.apiTokenEncrypted === null ? 'none' : 'set';
        const reply = c.reply ?? `default (KLINK_REPLY=${config.klinkReply})`;
        io.out(
          `${c.id}  tenant ${c.tenantId}  ${c.name}  added ${new Date(c.createdAt).toISOString()}  api token: ${token}  reply: ${reply}\n`,
        );
      }
      return 0;
    }
    case 'remove': {
      if (rest.length !== 1 || Object.keys(parsed.values).length > 0) {
        io.out(USAGE);
        return USAGE_EXIT;
      }
      const removed = await store.tenants.removeConnection(rest[0], io.now);
      io.out(removed ? `connection ${rest[0]} removed: its webhook URL now answers 404\n` : `no connection ${rest[0]}\n`);
      return removed ? 0 : 1;
    }
    default:
      io.out(USAGE);
      return USAGE_EXIT;
  }
}

/** `set`: the connection's API token (from a file or stdin, sealed) and its reply setting. */
async function setConnection(
  store: Store,
  config: Readonly<Config>,
  rest: string[],
  options: { tokenFile: string | null; noToken: boolean; reply: string | null },
  io: { out: (text: string) => void; readStdin: () => Promise<string>; readFile?: (path: string) => Promise<string> },
): Promise<number> {
  const problems: string[] = [];
  if (rest.length !== 1) problems.push('name one connection id (npm run connections -- list shows them)');
  if (options.tokenFile === null && !options.noToken && options.reply === null)
    problems.push('say what to set: --api-token-file <file|->, --no-api-token or --reply on|off|default');
  if (options.tokenFile !== null && options.noToken) problems.push('--api-token-file and --no-api-token contradict each other');
  if (options.reply !== null && !['on', 'off', 'default'].includes(options.reply)) problems.push('--reply must be on, off or default');
  if (options.tokenFile !== null && config.dataEncryptionKey === null)
    problems.push('DATA_ENCRYPTION_KEY is not set: API tokens are stored sealed with it (openssl rand -base64 32)');
  let token: string | null = null;
  if (problems.length === 0 && options.tokenFile !== null) {
    token = (options.tokenFile === '-' ? await io.readStdin() : await (io.readFile ?? readTextFile)(options.tokenFile)).trim();
    // Sent as `Authorization: Bearer <token>`: a header value cannot carry spaces, control or non-ASCII characters.
    if (!/^[\x21-\x7e]+$/.test(token))
      problems.push(
        'the API token read is empty or has characters an HTTP header cannot carry: copy it again from klink → Settings → API Tokens',
      );
  }
  if (problems.length > 0) {
    io.out(`${problems.map((p) => `- ${p}`).join('\n')}\n${USAGE}`);
    return USAGE_EXIT;
  }
  const id = rest[0];
  if ((await store.tenants.getConnection(id)) === null) {
    io.out(`no connection ${id}\n`);
    return 1;
  }
  if (token !== null && config.dataEncryptionKey !== null) {
    await store.tenants.setConnectionApiToken(id, sealApiToken(config.dataEncryptionKey, id, token));
    io.out(`connection ${id}: API token set (stored sealed; running instances use it within 30 s)\n`);
  }
  if (options.noToken) {
    await store.tenants.setConnectionApiToken(id, null);
    io.out(`connection ${id}: API token removed (no replies from cards for it)\n`);
  }
  if (options.reply !== null) {
    await store.tenants.setConnectionReply(id, options.reply === 'default' ? null : options.reply === 'on' ? 'on' : 'off');
    io.out(
      `connection ${id}: replies from cards ${options.reply === 'default' ? `as KLINK_REPLY says (${config.klinkReply})` : options.reply}\n`,
    );
  }
  return 0;
}

function readTextFile(path: string): Promise<string> {
  return readFile(path, 'utf8');
}

function readStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on('data', (c: Buffer) => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

if (require.main === module) {
  runOperatorCommand('connections', CONNECTIONS_HELP, (store, config) =>
    runConnectionsCommand(store, config, process.argv.slice(2), { out: (t) => process.stdout.write(t), readStdin, now: Date.now() }),
  );
}
