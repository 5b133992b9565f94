/**
 * `npm run connections -- <command>`: further klink connections (klink workspaces), each for one
 * Entra tenant, with its own webhook URL and signing secret.
 *
 *   add --tenant <tenant id> --name <name> --secret <klink signing secret | ->   (- reads it from stdin)
 *   list
 *   remove <connection id>
 *   --help
 *
 * The secret is sealed with DATA_ENCRYPTION_KEY before it is stored. The default connection
 * (KLINK_WEBHOOK_SECRET, at /api/klink/webhook) is configured in the environment instead.
 */
import { parseArgs } from 'node:util';
import { addConnection } from '../src/klink/connections';
import type { Store } from '../src/store/store';
import type { Config } from '../src/config';
import { USAGE_EXIT, parseOrUsage, runOperatorCommand } from './operator-cli';

const USAGE = 'usage: npm run connections -- add --tenant <tenant id> --name <name> --secret <secret|-> | list | remove <id>\n';
export const CONNECTIONS_HELP = `${USAGE}
  add --tenant <tenant id> --name <name> --secret <secret|->
                         a further klink workspace for one Entra tenant; prints its webhook URL
                         (--secret - reads the signing secret from stdin; a value starting
                         with - is given as --name=-value)
  list                   the further connections
  remove <connection id> removes one: its webhook URL answers 404 from then on
  --help                 this text
The default connection (KLINK_WEBHOOK_SECRET, /api/klink/webhook) is set in the environment.
`;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function runConnectionsCommand(
  store: Store,
  config: Readonly<Config>,
  argv: string[],
  io: { out: (text: string) => void; readStdin: () => Promise<string>; now: number },
): Promise<number> {
  const parsed = parseOrUsage(
    () =>
      parseArgs({
        args: argv,
        allowPositionals: true,
        strict: true,
        options: { tenant: { type: 'string' }, name: { type: 'string' }, secret: { type: 'string' } },
      }),
    USAGE,
    io.out,
  );
  if (parsed === null) return USAGE_EXIT;
  const [command, ...rest] = parsed.positionals;
  const option = (name: 'tenant' | 'name' | 'secret') => parsed.values[name] ?? null;
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
    case 'list': {
      if (rest.length > 0 || Object.keys(parsed.values).length > 0) {
        io.out(USAGE);
        return USAGE_EXIT;
      }
      const connections = await store.tenants.listConnections();
      if (connections.length === 0) io.out('no further connections (the default one is configured in the environment)\n');
      for (const c of connections) io.out(`${c.id}  tenant ${c.tenantId}  ${c.name}  added ${new Date(c.createdAt).toISOString()}\n`);
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
