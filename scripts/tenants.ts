/**
 * `npm run tenants -- <command>`: the tenants that opted in through admin consent, for operators.
 *
 *   list                                  tenants with admin consent: when, requested by whom, scopes
 *   revoke <tenant id> [--reason "…"]     withdraw a tenant's consent and deactivate its conversations
 *                                         (their subscriptions stop, with the reason recorded)
 *   --help                                this text
 *
 * Works on the same database as the bot (DATABASE_URL). Revoking here does not remove the app from
 * the tenant's Entra directory; the tenant's admin does that under Enterprise applications.
 */
import { parseArgs } from 'node:util';
import type { Store, TenantConsent } from '../src/store/store';
import { USAGE_EXIT, parseOrUsage, runOperatorCommand } from './operator-cli';

const USAGE = 'usage: npm run tenants -- list | revoke <tenant id> [--reason "…"]\n';
export const TENANTS_HELP = `${USAGE}
  list                               tenants with admin consent: when, requested by whom, scopes
  revoke <tenant id> [--reason "…"]  withdraw a tenant's consent and deactivate its conversations
                                     (their subscriptions stop, with the reason recorded)
  --help                             this text
Revoking here does not remove the app from the tenant's Entra directory: its admin does that
under Enterprise applications.
`;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DEFAULT_REASON = 'tenant removed by the operator';

/** A tenant the configuration allows regardless of consent (BOT_TENANT_ID, ALLOWED_TENANTS). */
export interface ConfiguredTenant {
  tenantId: string;
  setting: string;
}

/** Runs one command; returns the exit code (0 done, 1 nothing to do, 2 usage). */
export async function runTenantsCommand(
  store: Store,
  argv: string[],
  now: number,
  out: (line: string) => void,
  configured: ConfiguredTenant[] = [],
): Promise<number> {
  const parsed = parseOrUsage(
    () => parseArgs({ args: argv, allowPositionals: true, strict: true, options: { reason: { type: 'string' } } }),
    USAGE,
    out,
  );
  if (parsed === null) return USAGE_EXIT;
  const [command, ...rest] = parsed.positionals;
  const reason = parsed.values.reason ?? null;
  switch (command) {
    case 'list': {
      if (rest.length > 0 || reason !== null) return usage(out);
      const consents = await store.tenants.listConsents();
      out(consents.length === 0 ? 'no tenant has completed admin consent\n' : table(consents));
      for (const t of configured) out(`${t.tenantId} is also allowed by ${t.setting}, with or without consent\n`);
      return 0;
    }
    case 'revoke': {
      if (rest.length !== 1 || (reason !== null && reason.trim() === '')) return usage(out);
      const revoke = { tenantId: rest[0], reason: reason?.trim() ?? DEFAULT_REASON };
      if (!GUID.test(revoke.tenantId)) {
        out(`"${revoke.tenantId}" is not a tenant id (GUID); see npm run tenants -- list\n`);
        return USAGE_EXIT;
      }
      const tenantId = revoke.tenantId.toLowerCase();
      const hadConsent = (await store.tenants.getConsent(tenantId)) !== null;
      const deactivated = await store.tenants.revokeTenant(tenantId, revoke.reason, now);
      out(
        `${tenantId}: ${hadConsent ? 'admin consent withdrawn' : 'had no admin consent'}; ` +
          `${deactivated} ${deactivated === 1 ? 'conversation' : 'conversations'} deactivated (reason: ${revoke.reason})\n`,
      );
      const allowed = configured.find((t) => t.tenantId.toLowerCase() === tenantId);
      if (allowed !== undefined) {
        out(`warning: ${tenantId} is still allowed by ${allowed.setting}; remove it there too, or the bot keeps acting in it\n`);
      }
      return hadConsent || deactivated > 0 ? 0 : 1;
    }
    default:
      return usage(out);
  }
}

function table(rows: TenantConsent[]): string {
  const lines = rows.map((c) => [c.tenantId, new Date(c.grantedAt).toISOString(), c.grantedBy ?? '-', c.scopes.join(' ')]);
  const header = ['tenant', 'granted at', 'granted by', 'scopes'];
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const format = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return `${[format(header), ...lines.map(format)].join('\n')}\n`;
}

function usage(out: (line: string) => void): number {
  out(USAGE);
  return USAGE_EXIT;
}

if (require.main === module) {
  runOperatorCommand('tenants', TENANTS_HELP, (store, config) => {
    const configured: ConfiguredTenant[] = [
      ...(config.bot.tenantId === null
        ? []
        : [{ tenantId: config.bot.tenantId.toLowerCase(), setting: 'BOT_TENANT_ID (the home tenant)' }]),
      ...config.allowedTenants.map((tenantId) => ({ tenantId, setting: 'ALLOWED_TENANTS' })),
    ];
    return runTenantsCommand(store, process.argv.slice(2), Date.now(), (line) => process.stdout.write(line), configured);
  });
}
