/**
 * `npm run connections -- set/list` as an operator runs it (the real script in a child process,
 * SQLite): a connection's klink API token comes from a file or stdin — never from the command
 * line, where `ps` shows it — is stored sealed and bound to the connection, and is never printed;
 * the reply setting is on, off or the environment's default.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { openApiToken } from '../../src/klink/connections';
import type { Store } from '../../src/store/store';
import { makeTempDir } from '../support/temp-dir';
import { type TestDatabase, createTestDatabase } from '../support/test-database';

const ROOT = path.resolve(__dirname, '../..');
const KEY = Buffer.alloc(32, 7);
const TOKEN = 'kpt_operator-secret-token-42';

describe('connections CLI: API token and reply setting', function () {
  this.timeout(60_000);
  let database: TestDatabase;
  let store: Store;
  let temp: { dir: string; remove: () => void };

  beforeEach(async () => {
    database = await createTestDatabase('sqlite');
    store = await database.open();
    temp = makeTempDir();
    await store.tenants.addConnection({ id: 'k1', tenantId: 't1', name: 'Acme support', secretEncrypted: 'sealed', createdAt: 1 });
  });
  afterEach(async () => {
    await store.close();
    await database.remove();
    temp.remove();
  });

  function cli(args: string[], input?: string): { status: number | null; out: string } {
    const result = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'scripts/connections.ts', ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 30_000,
      input,
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: database.url, DATA_ENCRYPTION_KEY: KEY.toString('base64'), KLINK_REPLY: 'off' },
    });
    return { status: result.status, out: result.stdout + result.stderr };
  }

  it('sets the token from a file, sealed and bound to the connection; list says "set" and never shows it', async () => {
    const file = path.join(temp.dir, 'token');
    fs.writeFileSync(file, `${TOKEN}\n`);
    const set = cli(['set', 'k1', '--api-token-file', file, '--reply', 'on']);
    assert.equal(set.status, 0, set.out);
    assert.ok(!set.out.includes(TOKEN));
    const stored = await store.tenants.getConnection('k1');
    const sealed = stored?.apiTokenEncrypted ?? '';
    assert.ok(sealed !== '' && !sealed.includes(TOKEN), 'sealed');
    assert.equal(openApiToken(KEY, 'k1', sealed), TOKEN);
    assert.throws(() => openApiToken(KEY, 'k2', sealed), 'bound to k1');
    assert.equal(stored?.reply, 'on');
    const list = cli(['list']);
    assert.equal(list.status, 0);
    assert.match(list.out, /k1 {2}tenant t1 {2}Acme support .* api token: set {2}reply: on/);
    assert.ok(!list.out.includes(TOKEN));
  });

  it('reads the token from stdin with "-", removes it with --no-api-token, and resets the reply setting', async () => {
    assert.equal(cli(['set', 'k1', '--api-token-file', '-'], `${TOKEN}\n`).status, 0);
    assert.equal(openApiToken(KEY, 'k1', (await store.tenants.getConnection('k1'))?.apiTokenEncrypted ?? ''), TOKEN);
    assert.equal(cli(['set', 'k1', '--reply', 'off']).status, 0);
    assert.equal((await store.tenants.getConnection('k1'))?.reply, 'off');
    assert.equal(cli(['set', 'k1', '--no-api-token', '--reply', 'default']).status, 0);
    const k1 = await store.tenants.getConnection('k1');
    assert.deepEqual([k1?.apiTokenEncrypted, k1?.reply], [null, null]);
    assert.match(cli(['list']).out, /api token: none {2}reply: default \(KLINK_REPLY=off\)/);
  });

  it('takes no token on the command line, and refuses bad input without changing anything', async () => {
    const inArgv = cli(['set', 'k1', '--api-token', TOKEN]);
    assert.equal(inArgv.status, 2);
    assert.ok(!inArgv.out.includes(TOKEN), 'not echoed back either');
    assert.equal(cli(['set', 'k1', '--reply', 'maybe']).status, 2);
    assert.equal(cli(['set', 'k1', '--api-token-file', '-'], 'kpt with spaces\n').status, 2);
    assert.equal(cli(['set', 'k1']).status, 2);
    assert.equal(cli(['set', 'nope', '--reply', 'on']).status, 1);
    const k1 = await store.tenants.getConnection('k1');
    assert.deepEqual([k1?.apiTokenEncrypted, k1?.reply], [null, null]);
  });
});
