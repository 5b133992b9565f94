/**
 * Which klink API client serves a connection, and whether replies are on for it: the default
 * connection with KLINK_API_TOKEN, further ones with their own sealed token from the store (read
 * again after a short cache, the client replaced when the token changed), over the wire to a fake
 * klink API.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { klinkApiSourceFromConfig } from '../../src/klink/api-source';
import { sealApiToken } from '../../src/klink/connections';
import { replyPolicy } from '../../src/klink/reply-policy';
import type { Store } from '../../src/store/store';
import { FAKE_KLINK_TOKEN, type FakeKlinkApi, startFakeKlinkApi } from '../support/fake-klink-api';
import { type TestDatabase, createTestDatabase } from '../support/test-database';

describe('klink API source and reply policy', () => {
  const key = randomBytes(32);
  let api: FakeKlinkApi;
  let database: TestDatabase;
  let store: Store;
  let clock = 0;
  const now = () => clock;

  beforeEach(async () => {
    clock = 1_000;
    api = await startFakeKlinkApi();
    database = await createTestDatabase('sqlite');
    store = await database.open();
    await store.tenants.addConnection({ id: 'k1', tenantId: 't1', name: 'Acme', secretEncrypted: 'sealed', createdAt: 1 });
  });
  afterEach(async () => {
    await store.close();
    await database.remove();
    await api.close();
  });

  const source = (token: string | null = FAKE_KLINK_TOKEN) =>
    klinkApiSourceFromConfig({ klinkApi: { token, baseUrl: api.baseUrl }, dataEncryptionKey: key }, undefined, {
      connections: store.tenants,
      now,
      ttlMs: 30_000,
      client: { maxAttempts: 1 },
    });

  const send = (client: { sendText: (i: { contactId: string; message: string; createdAt: Date }) => Promise<unknown> }) =>
    client.sendText({ contactId: 'c1', message: 'hi', createdAt: new Date(0) });

  it('serves the default connection with KLINK_API_TOKEN and a further one with its own stored token, each with one kept client', async () => {
    const s = source();
    const main = await s.forConnection('default');
    assert.ok(main);
    assert.equal(await s.forConnection('k1'), null, 'no token stored yet');
    await store.tenants.setConnectionApiToken('k1', sealApiToken(key, 'k1', 'kpt_acme-token'));
    clock += 30_000;
    const acme = await s.forConnection('k1');
    assert.ok(acme);
    assert.equal(await s.forConnection('k1'), acme, 'the same client while the token is unchanged');
    clock += 30_000;
    assert.equal(await s.forConnection('k1'), acme, 'read again, unchanged: still the same client');
    await send(main);
    await assert.rejects(send(acme), { code: 'token-refused' }, 'the fake knows only FAKE_KLINK_TOKEN');
    assert.deepEqual(
      api.requests.map((r) => r.headers.authorization),
      [`Bearer ${FAKE_KLINK_TOKEN}`, 'Bearer kpt_acme-token'],
    );
  });

  it('replaces the client when the token changes, within the cache time; a removed token or connection has none', async () => {
    const s = source();
    await store.tenants.setConnectionApiToken('k1', sealApiToken(key, 'k1', 'kpt_old'));
    const old = await s.forConnection('k1');
    await store.tenants.setConnectionApiToken('k1', sealApiToken(key, 'k1', FAKE_KLINK_TOKEN));
    clock += 29_999;
    assert.equal(await s.forConnection('k1'), old, 'cached for the TTL');
    clock += 1;
    const renewed = await s.forConnection('k1');
    assert.ok(renewed && renewed !== old);
    await send(renewed);
    await store.tenants.setConnectionApiToken('k1', null);
    clock += 30_000;
    assert.equal(await s.forConnection('k1'), null);
    assert.equal(await s.forConnection('unknown'), null);
  });

  it('refuses a token sealed for another connection (the seal is bound to its connection)', async () => {
    await store.tenants.setConnectionApiToken('k1', sealApiToken(key, 'k2', FAKE_KLINK_TOKEN));
    assert.equal(await source().forConnection('k1'), null);
  });

  it('replies are on only with a token and KLINK_REPLY=on or the connection on; a connection off wins', async () => {
    const cases: Array<[string, 'on' | 'off', string | null, 'on' | 'off' | null, boolean]> = [
      ['default, env on', 'on', FAKE_KLINK_TOKEN, null, true],
      ['default, env off', 'off', FAKE_KLINK_TOKEN, null, false],
      ['default, no token', 'on', null, null, false],
    ];
    for (const [what, env, token, , expected] of cases) {
      assert.equal(await replyPolicy(source(token), { klinkReply: env }).repliesOn('default'), expected, what);
    }
    const k1 = async (env: 'on' | 'off') => replyPolicy(source(), { klinkReply: env }).repliesOn('k1');
    assert.equal(await k1('on'), false, 'k1 without a token');
    await store.tenants.setConnectionApiToken('k1', sealApiToken(key, 'k1', 'kpt_acme'));
    assert.equal(await k1('on'), true, 'k1 token, env on');
    assert.equal(await k1('off'), false, 'k1 token, env off');
    await store.tenants.setConnectionReply('k1', 'on');
    assert.equal(await k1('off'), true, 'k1 on, env off');
    await store.tenants.setConnectionReply('k1', 'off');
    assert.equal(await k1('on'), false, "k1 off wins over the environment's on");
  });
});
