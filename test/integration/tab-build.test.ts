/**
 * The klink tab's build (scripts/build-tab.ts) into a temp dir: the three pages, each loading only
 * its own hashed module script and chunks (no inline script, nothing from another origin, no
 * eval), and within the initial-JS budget.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { INITIAL_JS_BUDGET, type TabBuild, buildTab } from '../../scripts/build-tab';
import { makeTempDir } from '../support/temp-dir';

describe('klink tab build', function () {
  this.timeout(120_000);
  let dir: { dir: string; remove: () => void };
  let build: TabBuild;
  before(async () => {
    dir = makeTempDir('klink-tab-');
    build = await buildTab(path.join(dir.dir, 'tab'));
  });
  after(() => dir.remove());

  it('writes config.html, content.html and personal.html with hashed assets', () => {
    assert.deepEqual(
      build.pages.map((p) => p.html),
      ['config.html', 'content.html', 'personal.html'],
    );
    for (const page of build.pages) {
      const html = fs.readFileSync(path.join(build.outDir, page.html), 'utf8');
      const sources = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
      assert.ok(sources.length >= 2, html);
      for (const source of sources) {
        assert.match(source, /^assets\/[\w-]+-[A-Z0-9]{8}\.(js|css)$/, `${page.html}: ${source} is not a hashed local asset`);
        assert.ok(fs.existsSync(path.join(build.outDir, source)), `${page.html} refers to a missing ${source}`);
      }
      assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, `${page.html} has an inline script`);
      assert.doesNotMatch(html, /\sstyle=|<style/, `${page.html} has an inline style`);
      assert.match(html, new RegExp(`<script type="module" src="${page.initialJs[0]}"></script>`));
    }
  });

  it('keeps each page within the initial JS budget, gzipped', () => {
    for (const page of build.pages) {
      assert.ok(page.initialJsGzipBytes > 10_000, `${page.html}: implausibly small`);
      assert.ok(page.initialJsGzipBytes <= INITIAL_JS_BUDGET, `${page.html}: ${page.initialJsGzipBytes} bytes gzipped`);
    }
  });

  it('ships production React, no eval, and fetches no fonts or scripts from elsewhere', () => {
    const scripts = fs.readdirSync(path.join(build.outDir, 'assets')).filter((f) => f.endsWith('.js'));
    const code = scripts.map((f) => fs.readFileSync(path.join(build.outDir, 'assets', f), 'utf8')).join('\n');
    assert.doesNotMatch(code, /\beval\(|new Function\(/);
    assert.doesNotMatch(code, /react-dom\.development|Download the React DevTools/);
    assert.doesNotMatch(code, /fonts\.googleapis|@import url\(/);
  });
});
