import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { runTenantsCommand } from '../../scripts/tenants';
import type { Store } from '../../src/store/store';
import { emptyFilters } from '../../src/subscriptions/filters';
import { eachStore } from '../support/each-store';
import { type TestDatabase, createTestDatabase } from '../support/test-database';

const ROOT = path.resolve(__dirname, '../..');
const CONTOSO = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const FABRIKAM = '0b5f3c1e-1111-4222-8333-944444444444';
const GRAPH_DEFAULT = 'https://graph.microsoft.com/.default';

/** Runs `npm run tenants -- …` the way an operator does, against the given database. */
function cli(databaseUrl: string, args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string } {
  const result = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'scripts/tenants.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', DATABASE_URL: databaseUrl, ...env },
    timeout: 30_000,
  });
  return { status: result.status, stdout: result.stdout + result.stderr };
}

function channel(id: string, tenantId: string) {
  return {
    id,
    type: 'channel' as const,
    tenantId,
    serviceUrl: 'https://smba.example/emea/',
    channelId: 'msteams',
    teamId: 'team',
    botId: '28:bot',
    botName: 'klink',
  };
}

eachStore('npm run tenants (admin consent, revocation)', function (kind) {
  this.timeout(60_000);
  let database: TestDatabase;
  let store: Store;

  beforeEach(async () => {
    database = await createTestDatabase(kind);
    store = await database.open();
    await store.tenants.recordConsent({
      tenantId: CONTOSO,
      grantedBy: 'requested by Ada (unverified, from the consent link)',
      scopes: [GRAPH_DEFAULT],
      grantedAt: Date.UTC(2025, 5, 1, 12),
    });
    await store.tenants.recordConsent({
      tenantId: FABRIKAM,
      grantedBy: null,
      scopes: ['User.Read.All'],
      grantedAt: Date.UTC(2025, 5, 2, 8),
    });
    for (const [id, tenant] of [
      ['19:a@thread.tacv2', CONTOSO],
      ['19:b@thread.tacv2', CONTOSO],
      ['19:c@thread.tacv2', FABRIKAM],
    ]) {
      await store.conversations.upsertConversation(channel(id, tenant), 1);
      await store.conversations.addSubscription(id, { ...emptyFilters(), channels: ['whatsapp'] }, 'Ada', 2);
    }
  });
  afterEach(async () => {
    await store.close();
    await database.remove();
  });

  it('lists the tenants with consent: when, by whom, scopes', () => {
    const { status, stdout } = cli(database.url, ['list']);
    assert.equal(status, 0, stdout);
    const lines = stdout.trimEnd().split('\n');
    assert.match(lines[0], /^tenant\s+granted at\s+granted by\s+scopes$/);
    assert.match(
      lines[1],
      new RegExp(
        `^${CONTOSO}\\s+2025-06-01T12:00:00.000Z\\s+requested by Ada \\(unverified, from the consent link\\)\\s+${GRAPH_DEFAULT.replace(/\./g, '\\.')}$`,
      ),
    );
    assert.match(lines[2], new RegExp(`^${FABRIKAM}\\s+2025-06-02T08:00:00.000Z\\s+-\\s+User\\.Read\\.All$`));
    assert.equal(lines.length, 3);
  });

  it('revokes a tenant: consent withdrawn, its conversations and subscriptions deactivated with the reason; others untouched', async () => {
    const { status, stdout } = cli(database.url, ['revoke', CONTOSO.toUpperCase(), '--reason', 'contract ended']);
    assert.equal(status, 0, stdout);
    assert.match(stdout, new RegExp(`${CONTOSO}: admin consent withdrawn; 2 conversations deactivated \\(reason: contract ended\\)`));

    assert.equal(await store.tenants.getConsent(CONTOSO), null);
    for (const id of ['19:a@thread.tacv2', '19:b@thread.tacv2']) {
      const conversation = await store.conversations.getConversation(id);
      assert.deepEqual([conversation?.active, conversation?.removedReason], [false, 'contract ended'], id);
      assert.deepEqual(await store.conversations.listSubscriptions(id), [], id);
    }
    assert.equal((await store.conversations.getConversation('19:c@thread.tacv2'))?.active, true);
    assert.equal((await store.conversations.listSubscriptions('19:c@thread.tacv2')).length, 1);
    assert.deepEqual(
      (await store.conversations.activeSubscriptions()).map((s) => s.conversationId),
      ['19:c@thread.tacv2'],
    );

    const list = cli(database.url, ['list']);
    assert.ok(!list.stdout.includes(CONTOSO), list.stdout);
    assert.ok(list.stdout.includes(FABRIKAM));

    const again = cli(database.url, ['revoke', CONTOSO]);
    assert.equal(again.status, 1);
    assert.match(again.stdout, /had no admin consent; 0 conversations deactivated/);
  });

  it('warns when the revoked tenant is still allowed by the configuration', () => {
    const { status, stdout } = cli(database.url, ['revoke', FABRIKAM], { ALLOWED_TENANTS: FABRIKAM });
    assert.equal(status, 0, stdout);
    assert.match(stdout, /1 conversation deactivated \(reason: tenant removed by the operator\)/);
    assert.match(stdout, new RegExp(`warning: ${FABRIKAM} is still allowed by ALLOWED_TENANTS`));
  });

  it('never falls through to a destructive default: bad input prints the usage and changes nothing', async () => {
    const lines: string[] = [];
    const run = (...argv: string[]) => runTenantsCommand(store, argv, 10, (line) => void lines.push(line));
    for (const argv of [
      [],
      ['revoke'],
      ['remove', CONTOSO],
      ['revoke', CONTOSO, FABRIKAM],
      ['revoke', CONTOSO, '--reason'],
      ['revoke', CONTOSO, '--reason', ' '],
      ['revoke', CONTOSO, '--force'],
      ['list', 'all'],
      ['revoke', 'contoso.onmicrosoft.com'],
    ]) {
      lines.length = 0;
      assert.equal(await run(...argv), 2, argv.join(' '));
      assert.match(lines.join(''), /usage: npm run tenants|is not a tenant id/, argv.join(' '));
    }
    assert.equal((await store.tenants.listConsents()).length, 2);
    assert.equal((await store.conversations.activeSubscriptions()).length, 3);
    assert.equal(await run('revoke', CONTOSO, '--reason=audit'), 0);
    assert.equal((await store.conversations.getConversation('19:a@thread.tacv2'))?.removedReason, 'audit');
  });
});
