/**
 * `GET`/`HEAD /tab/…` on the real app: the built klink tab (here a temp dir of fake files) with
 * its content types, caching, nosniff and Content-Security-Policy — frame-ancestors only
 * Microsoft's documented Teams / Microsoft 365 hosts outside local mode, plus loopback in local
 * mode — and a plain 404 saying to run `npm run build` when the tab was not built.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { type AuthenticatedApp, type FakeOpenId, startAuthenticatedApp, startFakeOpenId } from '../support/fake-openid';
import { FAKE_TAB_FILES, type FakeTab, makeFakeTab, rawRequest } from '../support/fake-tab';
import { type TestApp, startTestApp } from '../support/test-app';

const MICROSOFT_HOSTS =
  'https://*.cloud.microsoft https://teams.microsoft.com https://*.teams.microsoft.com https://*.microsoft365.com https://*.office.com ' +
  'https://outlook.office.com https://outlook.office365.com https://outlook-sdf.office.com https://outlook-sdf.office365.com';
const POLICY_BEFORE_FRAMES =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self' https://res.cdn.office.net/teams-js/validDomains/json/validDomains.json; base-uri 'none'; ";
const YEAR = 'public, max-age=31536000, immutable';

describe('the klink tab served at /tab/', function () {
  this.timeout(30_000);
  let tab: FakeTab;

  beforeEach(() => {
    tab = makeFakeTab();
  });
  afterEach(() => {
    tab.remove();
  });

  describe('deployed (BOT_ID set)', () => {
    let openId: FakeOpenId;
    let t: AuthenticatedApp;

    beforeEach(async () => {
      openId = await startFakeOpenId();
      t = await startAuthenticatedApp(openId, {}, 'sqlite', { tabDir: tab.dir });
    });
    afterEach(async () => {
      await t.close();
      await openId.close();
    });

    it('serves the three pages as HTML, revalidated on every load, framed only by Teams and Microsoft 365', async () => {
      for (const page of ['config.html', 'content.html', 'personal.html']) {
        const response = await fetch(`${t.url}/tab/${page}`);
        assert.equal(response.status, 200, page);
        assert.equal(await response.text(), FAKE_TAB_FILES[page]);
        assert.equal(response.headers.get('content-type'), 'text/html; charset=utf-8');
        assert.equal(response.headers.get('cache-control'), 'no-cache');
        assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
        assert.equal(response.headers.get('content-security-policy'), `${POLICY_BEFORE_FRAMES}frame-ancestors ${MICROSOFT_HOSTS}`);
      }
    });

    it('gives each asset its content type; hashed assets are cached for a year, others revalidated', async () => {
      const expected: Array<[string, string, string]> = [
        ['content-5XG2TQ7K.js', 'text/javascript; charset=utf-8', YEAR],
        ['content-5XG2TQ7K.css', 'text/css; charset=utf-8', YEAR],
        ['assets/logo-QW3RTY7A.svg', 'image/svg+xml', YEAR],
        ['assets/font-ABCD2345.woff2', 'font/woff2', YEAR],
        ['content-5XG2TQ7K.js.map', 'application/json', 'no-cache'],
        ['app.js', 'text/javascript; charset=utf-8', 'no-cache'],
        ['assets/icon.png', 'image/png', 'no-cache'],
        ['notes.xyz', 'application/octet-stream', 'no-cache'],
      ];
      for (const [file, type, cache] of expected) {
        const response = await fetch(`${t.url}/tab/${file}?v=1`);
        assert.equal(response.status, 200, file);
        assert.equal(await response.text(), FAKE_TAB_FILES[file], file);
        assert.equal(response.headers.get('content-type'), type, file);
        assert.equal(response.headers.get('cache-control'), cache, file);
        assert.equal(response.headers.get('x-content-type-options'), 'nosniff', file);
        assert.ok(response.headers.get('content-security-policy')?.startsWith("default-src 'self'"), file);
      }
    });

    it('answers HEAD with the same headers and no body', async () => {
      const get = await rawRequest(t.url, '/tab/content-5XG2TQ7K.js');
      const head = await rawRequest(t.url, '/tab/content-5XG2TQ7K.js', 'HEAD');
      assert.equal(head.status, 200);
      assert.equal(head.body, '');
      assert.equal(head.headers['content-length'], String(Buffer.byteLength(FAKE_TAB_FILES['content-5XG2TQ7K.js'])));
      for (const name of ['content-type', 'cache-control', 'x-content-type-options', 'content-security-policy', 'content-length']) {
        assert.equal(head.headers[name], get.headers[name], name);
      }
      const missing = await rawRequest(t.url, '/tab/nothing.html', 'HEAD');
      assert.equal(missing.status, 404);
      assert.equal(missing.body, '');
    });

    it('lists no directory and serves no index', async () => {
      for (const rawPath of ['/tab/', '/tab/assets', '/tab/assets/']) {
        const answer = await rawRequest(t.url, rawPath);
        assert.equal(answer.status, 404, rawPath);
        assert.doesNotMatch(answer.body, /index|logo|<title>/, rawPath);
      }
    });

    it('says to run npm run build when a page or the whole tab is missing', async () => {
      const missing = await fetch(`${t.url}/tab/settings.html`);
      assert.equal(missing.status, 404);
      assert.equal(missing.headers.get('content-type'), 'text/plain; charset=utf-8');
      assert.match(await missing.text(), /run `npm run build`/);

      fs.rmSync(tab.dir, { recursive: true });
      const notBuilt = await fetch(`${t.url}/tab/content.html`);
      assert.equal(notBuilt.status, 404);
      assert.equal(notBuilt.headers.get('content-type'), 'text/plain; charset=utf-8');
      assert.equal(notBuilt.headers.get('x-content-type-options'), 'nosniff');
      const text = await notBuilt.text();
      assert.match(text, /klink tab/);
      assert.match(text, /run `npm run build`/);
      assert.ok(!text.includes(path.dirname(tab.dir)), 'the server folder is not shown');
    });
  });

  describe('local mode (no BOT_ID)', () => {
    let t: TestApp;
    afterEach(async () => {
      await t.close();
    });

    it('also lets a test host on loopback frame the pages', async () => {
      t = await startTestApp({}, { tab: { tabDir: tab.dir } });
      const response = await fetch(`${t.url}/tab/content.html`);
      assert.equal(response.status, 200);
      assert.equal(
        response.headers.get('content-security-policy'),
        `${POLICY_BEFORE_FRAMES}frame-ancestors ${MICROSOFT_HOSTS} http://localhost:* http://127.0.0.1:*`,
      );
    });

    it('uses the frame-ancestors a test gives instead', async () => {
      t = await startTestApp({}, { tab: { tabDir: tab.dir, tabFrameAncestors: ['http://127.0.0.1:4444'] } });
      const response = await fetch(`${t.url}/tab/personal.html`);
      assert.equal(response.headers.get('content-security-policy'), `${POLICY_BEFORE_FRAMES}frame-ancestors http://127.0.0.1:4444`);
    });
  });
});
