/**
 * Connecting to PostgreSQL as a deployment does: TLS as sslmode says (through a TLS front for the
 * local server that plays Azure's), Entra tokens of the managed identity as passwords (App
 * Service's identity endpoint faked at the wire), and start-up errors that say where and why.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { openStore } from '../../src/store/open-store';
import { type FakeAzurePostgres, startFakeAzurePostgres } from '../support/fake-azure-postgres';
import { type FakeManagedIdentity, startFakeManagedIdentity } from '../support/fake-managed-identity';
import { freePort } from '../support/server-process';
import { type TestDatabase, admin, createTestDatabase } from '../support/test-database';
import { waitFor } from '../support/wait';

const ROOT = path.resolve(__dirname, '../..');
const CLIENT_ID = '0f0e0d0c-1111-2222-3333-444455556666';
const OTHER_CLIENT_ID = '0f0e0d0c-1111-2222-3333-777788889999';

describe('connecting to PostgreSQL (TLS, Entra tokens, start-up errors)', function () {
  this.timeout(60_000);
  let database: TestDatabase;
  let front: FakeAzurePostgres;
  let identity: FakeManagedIdentity;
  const schema = () => /search_path%3D(\w+)/.exec(database.url)?.[1] ?? '';
  const url = (auth: string, query: string) =>
    `postgres://${auth}@localhost:${front.port}/test?${query}&options=${encodeURIComponent(`-c search_path=${schema()}`)}`;

  beforeEach(async () => {
    database = await createTestDatabase('postgres');
    identity = await startFakeManagedIdentity();
    front = await startFakeAzurePostgres({
      role: 'postgres',
      accept: (password) => password === 'db-password' || identity.issued.includes(password),
    });
  });
  afterEach(async () => {
    await front.close();
    await identity.close();
    await database.remove();
  });

  async function opens(env: Record<string, string>): Promise<void> {
    const store = await openStore(loadConfig(env).store);
    try {
      await store.ping();
    } finally {
      await store.close();
    }
  }

  it("sslmode=verify-full checks the server's certificate against sslrootcert; an unknown one is refused, saying where and why", async () => {
    await opens({ DATABASE_URL: url('klink:db-password', `sslmode=verify-full&sslrootcert=${encodeURIComponent(front.caFile)}`) });
    await assert.rejects(opens({ DATABASE_URL: url('klink:db-password', 'sslmode=verify-full') }), (err: Error) => {
      assert.equal(err.name, 'StoreOpenError');
      assert.match(err.message, new RegExp(`^cannot use PostgreSQL at localhost:${front.port}/test: .*self-signed certificate`));
      return true;
    });
  });

  it('sslmode=no-verify encrypts without checking; the front refuses a connection without TLS or with a wrong password', async () => {
    await opens({ DATABASE_URL: url('klink:db-password', 'sslmode=no-verify') });
    await assert.rejects(opens({ DATABASE_URL: url('klink:db-password', 'sslmode=disable') }), /SSL connection is required/);
    await assert.rejects(opens({ DATABASE_URL: url('klink:wrong', 'sslmode=no-verify') }), /password authentication failed/);
  });

  it("DATABASE_AUTH=azure-managed-identity: the identity's Entra token is the password, shared by connections until it is due for renewal", async () => {
    const env = process.env;
    process.env = { ...env, IDENTITY_ENDPOINT: identity.endpoint, IDENTITY_HEADER: identity.header };
    try {
      const config = loadConfig({
        DATABASE_URL: url('klink-teams-identity', `sslmode=verify-full&sslrootcert=${encodeURIComponent(front.caFile)}`),
        DATABASE_AUTH: 'azure-managed-identity',
        AZURE_CLIENT_ID: CLIENT_ID,
      });
      const store = await openStore(config.store);
      try {
        const stop = await store.watch(() => undefined); // a second connection, for LISTEN
        await Promise.all([store.ping(), store.ping(), store.rowCounts()]);
        await stop();
      } finally {
        await store.close();
      }
      assert.equal(identity.requests.length, 1, 'one token for every connection');
      const [request] = identity.requests;
      assert.equal(request.get('resource'), 'https://ossrdbms-aad.database.windows.net');
      assert.equal(request.get('client_id'), CLIENT_ID);
      assert.ok(
        front.passwords.length >= 2 && front.passwords.every((p) => p === 'entra-token-1'),
        `passwords: ${front.passwords.join(', ')}`,
      );

      // A token within five minutes of expiring is not used for a new connection: a fresh one is fetched.
      identity.lifetimeS = 200;
      const shortLived = loadConfig({
        DATABASE_URL: url('klink-teams-identity', `sslmode=verify-full&sslrootcert=${encodeURIComponent(front.caFile)}`),
        DATABASE_AUTH: 'azure-managed-identity',
        AZURE_CLIENT_ID: OTHER_CLIENT_ID,
      });
      for (let i = 0; i < 2; i++) await (await openStore(shortLived.store)).close();
      assert.deepEqual(
        identity.requests.slice(1).map((r) => r.get('client_id')),
        [OTHER_CLIENT_ID, OTHER_CLIENT_ID],
      );
      assert.deepEqual(front.passwords.slice(-2), ['entra-token-2', 'entra-token-3']);
    } finally {
      process.env = env;
    }
  });

  it('the new-work signal survives a dropped connection: the watcher is told once it listens again, and hears later commits', async () => {
    const store = await database.open();
    const writer = await database.open();
    let heard = 0;
    const stop = await store.watch(() => {
      heard += 1;
    });
    try {
      const listening = `LISTEN "klink-teams:${schema()}"`;
      const terminated = await admin(
        async (client) =>
          (await client.query('SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity WHERE query = $1', [listening])).rows.length,
      );
      assert.equal(terminated, 1, 'one connection listens for this database');
      await waitFor(() => heard >= 1, { timeoutMs: 5_000, what: 'the watcher told after listening again' });
      const before = heard;
      await writer.events.recordEvent({
        connectionId: 'default',
        eventType: 'message.inbound',
        dataId: 'm1',
        kind: 'message',
        payload: '{}',
        receivedAt: 1,
      });
      await waitFor(() => heard > before, { timeoutMs: 2_000, what: 'the signal for a commit after the reconnect' });
    } finally {
      await stop();
      await writer.close();
      await store.close();
    }
  });

  it('the server does not start when the database cannot be reached, and says which host and why', async () => {
    const port = await freePort();
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/index.ts'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 30_000,
      env: {
        PATH: process.env.PATH ?? '',
        DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/test`,
        KLINK_WEBHOOK_SECRET: 'x',
        PORT: '0',
      },
    });
    assert.equal(result.status, 1);
    assert.match(
      result.stderr,
      new RegExp(`klink-teams cannot start: DATABASE_URL: cannot use PostgreSQL at 127\\.0\\.0\\.1:${port}/test: connect ECONNREFUSED`),
    );
  });
});
