import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import JSZip from 'jszip';
import { AppManifestUtils, type TeamsManifest } from '@microsoft/app-manifest';
import { buildAppPackage, decodePng } from '../../scripts/package';
import { applicationIdUri } from '../../src/auth/tab-token';

const ROOT = path.resolve(__dirname, '..', '..');
const APP_PACKAGE = path.join(ROOT, 'appPackage');
const BOT_ID = '3f2b8c1e-7a4d-4e9b-b1c2-9d8e7f6a5b4c';
const PUBLIC_URL = 'https://klink-teams.example.com';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `npm run package -- <args>` with only the given settings (plus PATH and HOME) in its environment. */
function runPackage(settings: Record<string, string>, args: string[]): Promise<Run> {
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, ...settings };
  return new Promise((resolve) => {
    execFile('npm', ['run', '--silent', 'package', '--', ...args], { cwd: ROOT, env }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

/** A copy of appPackage/ in a temp dir whose manifest.json `edit` has changed. */
async function editedAppPackage(tmp: string, edit: (manifest: Record<string, unknown>) => void): Promise<string> {
  const dir = path.join(tmp, 'appPackage');
  await fs.mkdir(dir);
  for (const name of ['color.png', 'outline.png', 'manifest.json']) await fs.copyFile(path.join(APP_PACKAGE, name), path.join(dir, name));
  const manifest = JSON.parse(await fs.readFile(path.join(dir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  edit(manifest);
  await fs.writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return dir;
}

async function entry(zip: JSZip, name: string): Promise<Buffer> {
  const file = zip.file(name);
  if (file === null) assert.fail(`${name} missing from the zip`);
  return file.async('nodebuffer');
}

function firstBot(manifest: Record<string, unknown>): Record<string, unknown> {
  const bots = manifest.bots as Array<Record<string, unknown>>;
  return bots[0];
}

describe('npm run package (Teams app package)', function () {
  this.timeout(60_000);
  let tmp: string;

  beforeEach(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'klink-package-'));
  });

  afterEach(async () => {
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it('builds a zip whose manifest is filled in and valid against the official schema', async () => {
    const out = path.join(tmp, 'out', 'klink-teams.zip');
    const run = await runPackage({ BOT_ID, PUBLIC_URL }, ['--out', out]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Wrote .*klink-teams\.zip/);
    assert.ok(await exists(out), 'zip written to --out');

    const zip = await JSZip.loadAsync(await fs.readFile(out));
    assert.deepEqual(Object.keys(zip.files).sort(), ['color.png', 'manifest.json', 'outline.png']);
    const text = (await entry(zip, 'manifest.json')).toString('utf8');
    assert.ok(!text.includes('${{'), 'no placeholder left');
    const manifest = JSON.parse(text) as Record<string, unknown>;
    assert.equal(manifest.id, BOT_ID);
    assert.equal(firstBot(manifest).botId, BOT_ID);
    assert.deepEqual(firstBot(manifest).scopes, ['team', 'groupChat', 'personal']);
    assert.deepEqual(manifest.validDomains, ['klink-teams.example.com']);
    assert.deepEqual(manifest.developer, {
      name: 'klink.cloud',
      websiteUrl: 'https://klink.cloud',
      privacyUrl: `${PUBLIC_URL}/privacy`,
      termsOfUseUrl: `${PUBLIC_URL}/terms`,
    });
    assert.deepEqual(await AppManifestUtils.validateAgainstSchema(manifest as unknown as TeamsManifest), []);

    for (const [name, size] of [
      ['color.png', 192],
      ['outline.png', 32],
    ] as const) {
      const png = decodePng(await entry(zip, name));
      if (typeof png === 'string') assert.fail(`${name}: ${png}`);
      assert.deepEqual([png.width, png.height], [size, size], name);
    }
  });

  it('fails with a non-zero exit naming BOT_ID when BOT_ID is missing', async () => {
    const out = path.join(tmp, 'klink-teams.zip');
    const run = await runPackage({ PUBLIC_URL }, ['--out', out]);
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /BOT_ID is not set: set BOT_ID to the Azure Bot's Microsoft App ID/);
    assert.ok(!(await exists(out)), 'no zip on failure');
  });

  it('reports a manifest schema violation and writes nothing', async () => {
    const dir = await editedAppPackage(tmp, (manifest) => {
      manifest.accentColor = 'purple';
      firstBot(manifest).supportsAudio = true;
    });
    const out = path.join(tmp, 'klink-teams.zip');
    const run = await runPackage({ BOT_ID, PUBLIC_URL }, ['--out', out, '--app-package', dir]);
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /does not match the Teams v1\.\d+ schema: \/accentColor must match pattern/);
    assert.match(run.stderr, /\/bots\/0 must NOT have additional properties.*supportsAudio/);
    assert.ok(!(await exists(out)), 'no zip on failure');
  });

  describe('buildAppPackage', () => {
    const env = { BOT_ID, PUBLIC_URL };

    it('reports a BOT_ID that is not a GUID and a PUBLIC_URL that is not https, together', async () => {
      const result = await buildAppPackage({
        env: { BOT_ID: 'klink-bot', PUBLIC_URL: 'http://klink-teams.example.com' },
        appPackageDir: APP_PACKAGE,
        outFile: path.join(tmp, 'x.zip'),
      });
      assert.equal(result.ok, false);
      const errors = result.ok ? [] : result.errors;
      assert.equal(errors.length, 2, errors.join('\n'));
      assert.match(errors[0], /^BOT_ID "klink-bot" is not a GUID/);
      assert.match(errors[1], /^PUBLIC_URL "http:\/\/klink-teams\.example\.com" is not https/);
    });

    it('needs no runtime settings: other variables in the environment are ignored', async () => {
      const result = await buildAppPackage({
        env: { ...env, NODE_ENV: 'production', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x' },
        appPackageDir: APP_PACKAGE,
        outFile: path.join(tmp, 'x.zip'),
      });
      assert.equal(result.ok, true, result.ok ? '' : result.errors.join('\n'));
    });

    it('has the klink tabs, and single sign-on for the audience the server accepts', async () => {
      const result = await buildAppPackage({ env, appPackageDir: APP_PACKAGE, outFile: path.join(tmp, 'x.zip') });
      if (!result.ok) assert.fail(result.errors.join('\n'));
      const { manifest } = result;
      assert.deepEqual(manifest.configurableTabs, [
        {
          configurationUrl: `${PUBLIC_URL}/tab/config.html`,
          canUpdateConfiguration: true,
          scopes: ['team', 'groupChat'],
          context: ['channelTab', 'privateChatTab', 'meetingChatTab'],
        },
      ]);
      assert.deepEqual(manifest.staticTabs, [
        { entityId: 'klink', name: 'klink', contentUrl: `${PUBLIC_URL}/tab/personal.html`, scopes: ['personal'] },
      ]);
      assert.deepEqual(manifest.webApplicationInfo, { id: BOT_ID, resource: applicationIdUri(PUBLIC_URL, BOT_ID) });
      assert.equal(applicationIdUri(PUBLIC_URL, BOT_ID), `api://klink-teams.example.com/botid-${BOT_ID}`);
      assert.deepEqual(manifest.validDomains, ['klink-teams.example.com']);
      assert.deepEqual(await AppManifestUtils.validateAgainstSchema(manifest as unknown as TeamsManifest), []);
    });

    it('keeps a port of PUBLIC_URL in the single sign-on resource, as the server expects it', async () => {
      const result = await buildAppPackage({
        env: { BOT_ID, PUBLIC_URL: 'https://klink.example.com:8443' },
        appPackageDir: APP_PACKAGE,
        outFile: path.join(tmp, 'x.zip'),
      });
      if (!result.ok) assert.fail(result.errors.join('\n'));
      assert.deepEqual(result.manifest.webApplicationInfo, { id: BOT_ID, resource: `api://klink.example.com:8443/botid-${BOT_ID}` });
    });

    it('reports a tab the Teams schema refuses', async () => {
      const dir = await editedAppPackage(tmp, (manifest) => {
        const [tab] = manifest.configurableTabs as Array<Record<string, unknown>>;
        tab.scopes = ['personal'];
      });
      const result = await buildAppPackage({ env, appPackageDir: dir, outFile: path.join(tmp, 'x.zip') });
      assert.equal(result.ok, false);
      assert.match(
        result.ok ? '' : result.errors.join('\n'),
        /schema: \/configurableTabs\/0\/scopes\/0 must be equal to one of the allowed values/,
      );
      assert.ok(!(await exists(path.join(tmp, 'x.zip'))), 'no zip on failure');
    });

    it('reports tab pages outside validDomains and a single sign-on resource the server would refuse', async () => {
      const dir = await editedAppPackage(tmp, (manifest) => {
        const [tab] = manifest.staticTabs as Array<Record<string, unknown>>;
        tab.contentUrl = 'https://elsewhere.example.net/tab/personal.html';
        manifest.webApplicationInfo = { id: '${{BOT_ID}}', resource: 'api://${{PUBLIC_HOSTNAME}}/${{BOT_ID}}' };
      });
      const result = await buildAppPackage({ env, appPackageDir: dir, outFile: path.join(tmp, 'x.zip') });
      assert.equal(result.ok, false);
      const errors = result.ok ? '' : result.errors.join('\n');
      assert.match(
        errors,
        /staticTabs\[0\]\.contentUrl https:\/\/elsewhere\.example\.net\/tab\/personal\.html is not on a host in validDomains/,
      );
      assert.match(
        errors,
        /webApplicationInfo\.resource "api:\/\/klink-teams\.example\.com\/3f2b8c1e-[^"]+" is not the audience the server accepts: use "api:\/\/klink-teams\.example\.com\/botid-3f2b8c1e-/,
      );
    });

    it('reports a placeholder it does not know', async () => {
      const dir = await editedAppPackage(tmp, (manifest) => {
        (manifest.developer as Record<string, unknown>).websiteUrl = '${{WEBSITE_URL}}';
      });
      const result = await buildAppPackage({ env, appPackageDir: dir, outFile: path.join(tmp, 'x.zip') });
      assert.equal(result.ok, false);
      assert.match(result.ok ? '' : result.errors.join('\n'), /uses \$\{\{WEBSITE_URL\}\}, which the packager does not fill/);
    });

    it('reports a command description longer than Teams shows', async () => {
      const dir = await editedAppPackage(tmp, (manifest) => {
        const lists = firstBot(manifest).commandLists as Array<{ commands: Array<{ description: string }> }>;
        lists[0].commands[0].description = 'x'.repeat(129);
      });
      const result = await buildAppPackage({ env, appPackageDir: dir, outFile: path.join(tmp, 'x.zip') });
      assert.equal(result.ok, false);
      assert.match(result.ok ? '' : result.errors.join('\n'), /bot command "subscribe": description is 129 characters, Teams allows 128/);
    });

    it('reports an outline icon that is not white on transparent', async () => {
      const dir = await editedAppPackage(tmp, () => undefined);
      await fs.copyFile(path.join(APP_PACKAGE, 'color.png'), path.join(dir, 'outline.png'));
      const result = await buildAppPackage({ env, appPackageDir: dir, outFile: path.join(tmp, 'x.zip') });
      assert.equal(result.ok, false);
      const errors = result.ok ? '' : result.errors.join('\n');
      assert.match(errors, /outline\.png: must be 32×32 pixels, is 192×192/);
      assert.match(errors, /outline\.png: \d+ visible pixels are not white/);
    });

    it('gives byte-identical zips for the same inputs', async () => {
      const [a, b] = [path.join(tmp, 'a.zip'), path.join(tmp, 'b.zip')];
      for (const outFile of [a, b]) {
        const result = await buildAppPackage({ env, appPackageDir: APP_PACKAGE, outFile });
        assert.equal(result.ok, true, result.ok ? '' : result.errors.join('\n'));
      }
      assert.ok((await fs.readFile(a)).equals(await fs.readFile(b)));
    });
  });
});
