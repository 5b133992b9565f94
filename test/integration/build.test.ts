/**
 * `npm start` builds first (prestart → npm run build, the server and the tab): when nothing changed
 * since the last build it must not compile again, and when a source changed it must. Runs on a copy of the project in
 * a temp dir (node_modules linked), never in the working tree.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { makeTempDir } from '../support/temp-dir';

const ROOT = path.resolve(__dirname, '../..');

function build(cwd: string): void {
  const result = spawnSync('npm', ['run', '--silent', 'build'], {
    cwd,
    encoding: 'utf8',
    timeout: 120_000,
    env: { PATH: process.env.PATH ?? '' },
  });
  assert.equal(result.status, 0, result.stdout + result.stderr);
}

describe('npm run build (prestart)', function () {
  this.timeout(240_000);
  let dir: { dir: string; remove: () => void };
  beforeEach(() => {
    dir = makeTempDir('klink-build-');
    for (const entry of ['src', 'scripts', 'tab', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json']) {
      fs.cpSync(path.join(ROOT, entry), path.join(dir.dir, entry), { recursive: true });
    }
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir.dir, 'node_modules'));
  });
  afterEach(() => dir.remove());

  it('does not compile again when nothing changed, and does when a source changed', () => {
    const output = path.join(dir.dir, 'dist/src/index.js');
    build(dir.dir);
    const first = fs.statSync(output).mtimeMs;
    assert.ok(fs.existsSync(path.join(dir.dir, 'dist/tab/content.html')), 'npm run build did not build the tab');
    build(dir.dir);
    assert.equal(fs.statSync(output).mtimeMs, first, 'the second build rewrote dist/src/index.js: it compiled again');
    fs.appendFileSync(path.join(dir.dir, 'src/index.ts'), '\n// changed\n');
    build(dir.dir);
    assert.notEqual(fs.statSync(output).mtimeMs, first, 'a changed source was not compiled');
  });
});
