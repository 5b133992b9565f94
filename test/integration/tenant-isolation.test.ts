/** A klink connection belongs to one tenant: two tenants, two connections, no crossing. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { signBody } from '../../src/klink/verify';
import { type FakeConnector, startFakeConnector } from '../support/fake-connector';
import { messageEvent } from '../support/fixtures';
import { channelCommand } from '../support/teams-activities';
import { TEST_SECRET, type TestApp, startTestApp } from '../support/test-app';
import { eachStore } from '../support/each-store';
import { waitFor } from '../support/wait';

const ROOT = path.resolve(__dirname, '../..');
const TENANT_A = 'aaaaaaaa-0000-4000-8000-00000000000a';
const TENANT_B = 'bbbbbbbb-0000-4000-8000-00000000000b';
const CHANNEL_A = '19:alpha-support@thread.tacv2';
const CHANNEL_B = '19:beta-support@thread.tacv2';
const KEY = Buffer.alloc(32, 42).toString('base64');

eachStore('tenant isolation between klink connections', function (kind) {
  this.timeout(60_000);
  let connector: FakeConnector;
  let t: TestApp;
  let betaId: string;

  function connectionsCli(...args: string[]): { status: number | null; out: string } {
    const result = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'scripts/connections.ts', ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 30_000,
      env: {
        PATH: process.env.PATH ?? '',
        DATABASE_URL: t.database.url,
        DATA_ENCRYPTION_KEY: KEY,
        PUBLIC_URL: 'https://klink-teams.example.com',
      },
    });
    return { status: result.status, out: result.stdout + result.stderr };
  }

  async function post(pathname: string, body: object, secret: string): Promise<number> {
    const raw = JSON.stringify(body);
    const response = await fetch(`${t.url}${pathname}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-signature': signBody(secret, raw) },
      body: raw,
    });
    await response.arrayBuffer();
    return response.status;
  }

  async function subscribe(channelId: string, tenantId: string): Promise<void> {
    const activity = channelCommand({ serviceUrl: connector.url, channelId, tenantId }, 'subscribe whatsapp');
    assert.equal(await t.activity(activity), 200);
    await connector.waitForRequests((r) => r.route === 'replyToActivity' && r.urlActivityId === activity.id, 1, 5000);
  }

  const cardsIn = (channelId: string) =>
    connector.requests.filter((r) => r.route === 'createConversation' && r.channelId === channelId && r.response?.status === 201);

  beforeEach(async () => {
    connector = await startFakeConnector();
    t = await startTestApp({ KLINK_TENANT_ID: TENANT_A, DATA_ENCRYPTION_KEY: KEY }, { store: kind });
    const added = connectionsCli('add', '--tenant', TENANT_B, '--name', 'Beta support', '--secret', 'beta-signing-secret');
    assert.equal(added.status, 0, added.out);
    betaId = /connection (\S+) added/.exec(added.out)?.[1] ?? '';
    assert.match(added.out, new RegExp(`webhook URL: https://klink-teams.example.com/api/klink/webhook/${betaId}`));
    await subscribe(CHANNEL_A, TENANT_A);
    await subscribe(CHANNEL_B, TENANT_B);
  });
  afterEach(async () => {
    await t.close();
    await connector.close();
  });

  it('events of each connection reach only the channels of its tenant', async () => {
    assert.equal(await post('/api/klink/webhook', messageEvent({ id: 'alpha-1' }), TEST_SECRET), 200);
    assert.equal(await post(`/api/klink/webhook/${betaId}`, messageEvent({ id: 'beta-1' }), 'beta-signing-secret'), 200);
    await waitFor(() => cardsIn(CHANNEL_A).length === 1 && cardsIn(CHANNEL_B).length === 1, {
      timeoutMs: 5000,
      what: 'one card in each channel',
    });
    await waitFor(async () => (await t.app.store.deliveries.undispatchedEvents(1)).length === 0, { timeoutMs: 5000, what: 'dispatch' });
    const deliveries = await t.app.store.deliveries.listDeliveries({}, 10);
    assert.deepEqual(deliveries.map((d) => d.conversationId).sort(), [CHANNEL_A, CHANNEL_B].sort(), 'each event went to one channel only');
  });

  it('a connection verifies with its own secret only; unknown or removed connections answer 404', async () => {
    assert.equal(await post(`/api/klink/webhook/${betaId}`, messageEvent({ id: 'x-1' }), TEST_SECRET), 401);
    assert.equal(await post('/api/klink/webhook', messageEvent({ id: 'x-2' }), 'beta-signing-secret'), 401);
    assert.equal(await post('/api/klink/webhook/knope', messageEvent({ id: 'x-3' }), 'beta-signing-secret'), 404);
    assert.equal(connectionsCli('remove', betaId).status, 0);
    assert.equal(await post(`/api/klink/webhook/${betaId}`, messageEvent({ id: 'x-4' }), 'beta-signing-secret'), 404);
    assert.equal(
      (await t.app.store.deliveries.undispatchedEvents(10)).length + (await t.app.store.deliveries.listDeliveries({}, 10)).length,
      0,
      'nothing stored',
    );
  });

  it('keeps the signing secret sealed in the store', async () => {
    const listed = connectionsCli('list');
    assert.match(listed.out, new RegExp(`${betaId}\\s+tenant ${TENANT_B}\\s+Beta support`));
    assert.ok(!listed.out.includes('beta-signing-secret'));
    const stored = await t.app.store.tenants.getConnection(betaId);
    assert.ok(stored && !stored.secretEncrypted.includes('beta-signing-secret') && stored.secretEncrypted.startsWith('v1:'));
  });
});
