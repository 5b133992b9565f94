import assert from 'node:assert/strict';
import { launchChromium } from '../../support/browser';
import { isLoopbackUrl } from '../../support/loopback-url';

describe('test/support/browser', () => {
  it('fails with the fix when Debian chromium is not installed', async () => {
    await assert.rejects(launchChromium('/nonexistent/chromium'), (error: Error) => {
      assert.match(
        error.message,
        /Debian's chromium at \/nonexistent\/chromium: install it with `apt-get update && apt-get install -y chromium`/,
      );
      return true;
    });
  });

  it('counts only http(s) to 127.0.0.1, localhost and [::1] as loopback', () => {
    for (const url of ['http://127.0.0.1:3978/tab/', 'https://localhost/x', 'http://[::1]:8080', 'http://LOCALHOST:1']) {
      assert.equal(isLoopbackUrl(url), true, url);
    }
    for (const url of [
      'https://res.cdn.office.net/teams-js/validDomains/json/validDomains.json',
      'https://127.0.0.1.example.com/',
      'http://127.0.0.2/',
      'ws://127.0.0.1/',
      'file:///etc/passwd',
      'not a url',
    ]) {
      assert.equal(isLoopbackUrl(url), false, url);
    }
  });
});
