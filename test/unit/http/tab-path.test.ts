/**
 * The tab's path guard on its own: restify already folds `..` out of a URL before routing, so the
 * integration tests cannot show that the guard itself refuses it; these can. Also where the tab
 * directory is by default, whether the code runs from source or compiled.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { DEFAULT_TAB_DIR, projectRootOf } from '../../../src/http/tab-dir';
import { resolveTabFile, tabFileOf } from '../../../src/http/tab-path';

describe('tab file paths', () => {
  it('accepts plain names, in subfolders too, and ignores the query', () => {
    assert.equal(tabFileOf('/tab/config.html'), 'config.html');
    assert.equal(tabFileOf('/tab/assets/logo-QW3RTY7A.svg?v=2#x'), 'assets/logo-QW3RTY7A.svg');
    assert.equal(tabFileOf('/tab/my%20page.html'), null, 'a space is not a plain name');
  });

  it('refuses dot segments, dotfiles, empty segments, encoded separators and bad escapes', () => {
    for (const url of [
      '/tab/',
      '/tab/../secret.txt',
      '/tab/a/../../secret.txt',
      '/tab/%2e%2e/secret.txt',
      '/tab/./config.html',
      '/tab/.env',
      '/tab/assets/.hidden',
      '/tab//etc/passwd',
      '/tab/assets/',
      '/tab/..%2fsecret.txt',
      '/tab/a%5cb',
      '/tab/a%00b',
      '/tab/a\\b',
      '/tab/%E0%A4%A',
      '/other/config.html',
    ]) {
      assert.equal(tabFileOf(url), null, url);
    }
  });

  it('resolves only inside the tab directory', () => {
    assert.equal(resolveTabFile('/srv/tab', 'a/b.js'), path.join('/srv/tab', 'a', 'b.js'));
    assert.equal(resolveTabFile('/srv/tab', '../tab-other/x.js'), null);
    assert.equal(resolveTabFile('/srv/tab', '/etc/passwd'), null);
  });

  it('finds <project>/dist/tab from the source and from the compiled code', () => {
    assert.equal(projectRootOf('/opt/klink/src/http'), '/opt/klink');
    assert.equal(projectRootOf('/opt/klink/dist/src/http'), '/opt/klink');
    assert.equal(DEFAULT_TAB_DIR, path.resolve(__dirname, '../../../dist/tab'));
  });
});
