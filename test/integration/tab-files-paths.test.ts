/**
 * `/tab/…` never serves anything outside the tab directory, nor a dotfile inside it, whatever the
 * path looks like on the wire: each way out is sent byte for byte to the real app and must get a
 * 404 without the secret that lies next to the tab directory.
 */
import assert from 'node:assert/strict';
import { type FakeTab, SECRET, makeFakeTab, rawRequest } from '../support/fake-tab';
import { type TestApp, startTestApp } from '../support/test-app';

describe('the klink tab at /tab/: no way out of the tab directory', function () {
  this.timeout(30_000);
  let tab: FakeTab;
  let t: TestApp;

  before(async () => {
    tab = makeFakeTab();
    t = await startTestApp({}, { tab: { tabDir: tab.dir } });
  });
  after(async () => {
    await t.close();
    tab.remove();
  });

  const attempts: Array<[string, () => string]> = [
    ['a ".." segment', () => '/tab/../secret.txt'],
    ['".." deeper down', () => '/tab/assets/../../secret.txt'],
    ['percent-encoded dots', () => '/tab/%2e%2e/secret.txt'],
    ['an encoded slash', () => '/tab/..%2fsecret.txt'],
    ['an encoded slash, upper case', () => '/tab/..%2Fsecret.txt'],
    ['an encoded backslash', () => '/tab/..%5csecret.txt'],
    ['a raw backslash', () => '/tab/..\\secret.txt'],
    ['an absolute path', () => `/tab/${tab.root}/secret.txt`],
    ['an encoded absolute path', () => `/tab/${encodeURIComponent(`${tab.root}/secret.txt`)}`],
    ['an encoded NUL', () => '/tab/config.html%00.txt'],
    ['a link leading out', () => '/tab/linked.txt'],
    ['a dotfile', () => '/tab/.env'],
    ['an encoded dotfile', () => '/tab/%2eenv'],
    ['a malformed escape', () => '/tab/%E0%A4%A.html'],
  ];

  for (const [what, rawPath] of attempts) {
    it(`refuses ${what}`, async () => {
      const answer = await rawRequest(t.url, rawPath());
      assert.equal(answer.status, 404, `${rawPath()}: ${answer.body}`);
      assert.ok(!answer.body.includes(SECRET), 'the secret is not served');
      assert.ok(!answer.body.includes('SECRET_IN_TAB_DIR'), 'the dotfile is not served');
    });
  }

  it('still serves a plain file (the attempts above are refused for their path alone)', async () => {
    const answer = await rawRequest(t.url, '/tab/config.html');
    assert.equal(answer.status, 200);
  });
});
