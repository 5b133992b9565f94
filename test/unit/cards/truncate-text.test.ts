import assert from 'node:assert/strict';
import { truncateText } from '../../../src/cards/truncate-text';

describe('truncateText', () => {
  it('keeps text that fits', () => {
    assert.deepEqual(truncateText('hello', 5), { text: 'hello', truncated: false });
    assert.deepEqual(truncateText('', 0), { text: '', truncated: false });
  });

  it('cuts long text to the limit, ellipsis included', () => {
    const result = truncateText('abcdefghij', 5);
    assert.deepEqual(result, { text: 'abcd…', truncated: true });
  });

  it('drops trailing spaces before the ellipsis', () => {
    assert.equal(truncateText('abc   defgh', 7).text, 'abc…');
  });

  it('never splits a surrogate pair or an emoji sequence', () => {
    const family = '👨‍👩‍👧'; // 8 code units, one grapheme
    const text = `ab${family}cd`;
    for (let max = 3; max < text.length; max++) {
      const { text: cut } = truncateText(text, max);
      assert.ok(cut.length <= max, `${cut} longer than ${max}`);
      assert.ok(cut === 'ab…' || cut.startsWith(`ab${family}`), `split emoji at ${max}: ${JSON.stringify(cut)}`);
      assert.ok(!/[\ud800-\udbff](?![\udc00-\udfff])/.test(cut), 'lone high surrogate');
    }
  });

  it('keeps a skin tone modifier with its emoji', () => {
    const text = `${'a'.repeat(8)}👍🏽 rest`;
    assert.equal(truncateText(text, 11).text, `${'a'.repeat(8)}…`);
    assert.equal(truncateText(text, 13).text, `${'a'.repeat(8)}👍🏽…`);
  });

  it('cuts inside one enormous grapheme without leaving half a character', () => {
    const zalgo = `e${'\u0301'.repeat(5000)}`;
    const { text, truncated } = truncateText(zalgo, 100);
    assert.ok(truncated);
    assert.ok(text.length <= 100);
  });

  it('shortens a 1 MiB text', () => {
    const { text, truncated } = truncateText('x'.repeat(1024 * 1024), 1000);
    assert.equal(text, `${'x'.repeat(999)}…`);
    assert.ok(truncated);
  });
});
