/**
 * The operator commands (connections, deliveries, tenants) run as an operator runs them: their
 * arguments are parsed strictly (a missing value is an error, never the next option taken as the
 * value) and each explains itself with --help, without needing a database.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { openStore } from '../../src/store/open-store';
import { makeTempDir } from '../support/temp-dir';

const ROOT = path.resolve(__dirname, '../..');
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const KEY = Buffer.alloc(32, 7).toString('base64');

function cli(script: string, args: string[], env: Record<string, string>): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), `scripts/${script}.ts`, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', ...env },
    timeout: 30_000,
  });
  return { status: result.status, output: result.stdout + result.stderr };
}

describe('operator commands: argument parsing and --help', function () {
  this.timeout(60_000);
  let dir: { dir: string; remove: () => void };
  let env: Record<string, string>;

  beforeEach(() => {
    dir = makeTempDir('klink-operator-cli-');
    env = { DATABASE_URL: `sqlite:${path.join(dir.dir, 'bot.db')}`, DATA_ENCRYPTION_KEY: KEY };
  });
  afterEach(() => dir.remove());

  it('refuses an option without its value instead of storing the next option as the value', async () => {
    const { status, output } = cli('connections', ['add', '--tenant', TENANT, '--name', '--secret', 'x'], env);
    assert.equal(status, 2, output);
    assert.match(output, /--name/);
    assert.match(output, /usage: npm run connections/);
    const missing = cli('connections', ['add', '--tenant', TENANT, '--name', 'Acme', '--secret'], env);
    assert.equal(missing.status, 2, missing.output);
    assert.match(missing.output, /--secret <value>' argument missing/);
    const store = await openStore({ kind: 'sqlite', file: path.join(dir.dir, 'bot.db') });
    try {
      assert.deepEqual(await store.tenants.listConnections(), []);
    } finally {
      await store.close();
    }
  });

  it('still adds a connection given the values, including the --name=… form', () => {
    const { status, output } = cli('connections', ['add', `--tenant=${TENANT}`, '--name=Acme support', '--secret', 's3cret'], env);
    assert.equal(status, 0, output);
    assert.match(output, /connection \S+ added for tenant/);
    assert.match(cli('connections', ['list'], env).output, /Acme support/);
  });

  for (const script of ['connections', 'deliveries', 'tenants']) {
    it(`${script} --help explains every command and exits 0 without a database`, () => {
      const { status, output } = cli(script, ['--help'], { DATABASE_URL: 'sqlite:/nonexistent-dir/none.db' });
      assert.equal(status, 0, output);
      assert.match(output, new RegExp(`usage: npm run ${script}`));
      assert.ok(output.split('\n').length > 3, output);
    });
    it(`${script} refuses an unknown option with its name`, () => {
      const { status, output } = cli(script, ['list', '--frobnicate'], env);
      assert.equal(status, 2, output);
      assert.match(output, /--frobnicate/);
    });
  }
});
