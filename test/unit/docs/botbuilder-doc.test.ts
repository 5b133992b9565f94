// docs/botbuilder.md says what a move from botbuilder (archived upstream) to the Microsoft 365
// Agents SDK would touch. It is only useful while it names every file that uses botbuilder or
// botframework-connector: a new import that the page leaves out would be a surprise at move time.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');
const IMPORT = /(?:from\s+|require\()\s*['"](botbuilder|botframework-connector)['"]/;

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(relative);
    return entry.name.endsWith('.ts') ? [relative] : [];
  });
}

describe('docs/botbuilder.md', () => {
  it('names every file that imports botbuilder or botframework-connector', () => {
    const doc = fs.readFileSync(path.join(ROOT, 'docs/botbuilder.md'), 'utf8');
    const users = ['src', 'test', 'scripts']
      .flatMap(sourceFiles)
      .filter((file) => IMPORT.test(fs.readFileSync(path.join(ROOT, file), 'utf8')));
    assert.ok(users.length > 0, 'no file imports botbuilder: the page (and this test) can go');
    assert.deepEqual(
      users.filter((file) => !doc.includes(`\`${file}\``)),
      [],
      'files the page does not name',
    );
  });

  it('is linked from the README', () => {
    assert.match(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'), /\]\(docs\/botbuilder\.md\)/);
  });
});
