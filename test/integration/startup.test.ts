/**
 * What an operator sees when the real process starts (`node --import tsx src/index.ts`): a port
 * in use or an unusable database path is one line naming the setting, no stack trace; a normal
 * start prints no deprecation warning, and local mode logs no consent "problems" at info.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { freePort } from '../support/server-process';
import { makeTempDir } from '../support/temp-dir';

const ROOT = path.resolve(__dirname, '../..');

/** The node flags `npm start` uses (as deployed), so the process starts as operators start it. */
function startFlags(): string[] {
  const packageJson = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  return packageJson.scripts.start
    .split(/\s+/)
    .slice(1)
    .filter((word) => word.startsWith('--'));
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts the server; resolves when it exits, or kills it once `until` holds for its output. */
function run(env: Record<string, string>, until?: (out: Run) => boolean): Promise<Run> {
  const child = spawn(process.execPath, [...startFlags(), '--import', 'tsx', 'src/index.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: Run = { code: null, stdout: '', stderr: '' };
  const check = () => {
    if (until?.(out) && child.exitCode === null) child.kill('SIGTERM');
  };
  child.stdout.on('data', (c: Buffer) => {
    out.stdout += c.toString();
    check();
  });
  child.stderr.on('data', (c: Buffer) => {
    out.stderr += c.toString();
    check();
  });
  return new Promise((resolve) => child.once('close', (code) => resolve({ ...out, code })));
}

const lines = (text: string) => text.split('\n').filter((l) => l.trim() !== '');

describe('start-up as operators see it', function () {
  this.timeout(60_000);
  let dir: { dir: string; remove: () => void };
  beforeEach(() => {
    dir = makeTempDir('klink-startup-');
  });
  afterEach(() => dir.remove());

  it('a port in use: one line naming PORT, no stack trace', async () => {
    const port = await freePort();
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(port, '127.0.0.1', resolve));
    try {
      const result = await run({ PORT: String(port), DATABASE_URL: `sqlite:${path.join(dir.dir, 'bot.db')}` });
      assert.equal(result.code, 1);
      assert.equal(lines(result.stderr).length, 1, result.stderr);
      assert.match(result.stderr, new RegExp(`PORT.*${port}|${port}.*PORT`));
      assert.doesNotMatch(result.stderr, /\n\s+at /);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('an unusable database path: one line naming DATABASE_URL, no stack trace', async () => {
    // A path below a regular file cannot be created, whoever runs the process (root included).
    const file = path.join(dir.dir, 'a-file');
    fs.writeFileSync(file, 'x');
    const result = await run({ PORT: String(await freePort()), DATABASE_URL: `sqlite:${file}/data/bot.db` });
    assert.equal(result.code, 1);
    assert.equal(lines(result.stderr).length, 1, result.stderr);
    assert.match(result.stderr, /DATABASE_URL/);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  });

  it('a normal start in local mode: no deprecation warning, no consent "problems" at info', async () => {
    const port = await freePort();
    const result = await run({ PORT: String(port), DATABASE_URL: `sqlite:${path.join(dir.dir, 'bot.db')}` }, (out) =>
      out.stdout.includes('klink-teams listening'),
    );
    assert.match(result.stdout, /klink-teams listening/);
    assert.doesNotMatch(result.stderr, /DeprecationWarning|DEP0/, result.stderr);
    // Nothing is silenced: the start flags hide no warning.
    assert.ok(!startFlags().some((flag) => ['--no-warnings', '--no-deprecation'].includes(flag) || flag.startsWith('--disable-warning')));
    const info = lines(result.stdout).filter((l) => (JSON.parse(l) as { level: number }).level >= 30);
    assert.deepEqual(
      info.filter((l) => /consent/i.test(l)),
      [],
      'local mode has no admin consent to set up',
    );
  });
});
