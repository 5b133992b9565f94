import assert from 'node:assert/strict';
import { escapeMarkdown } from '../../../src/cards/escape-markdown';

/** What a CommonMark renderer shows for backslash escapes: any escaped ASCII punctuation as itself. */
function unescapeCommonMark(text: string): string {
  return text.replace(/\\([!-/:-@[-`{-~])/g, '$1');
}

/** Characters that start inline Markdown; each must be escaped by an odd number of backslashes. */
function unescapedActive(text: string): string[] {
  const found: string[] = [];
  for (let i = 0; i < text.length; i++) {
    if (!'*_[]`~<>|'.includes(text[i])) continue;
    let slashes = 0;
    for (let j = i - 1; j >= 0 && text[j] === '\\'; j--) slashes++;
    if (slashes % 2 === 0) found.push(`${text[i]} at ${i}`);
  }
  return found;
}

// The Adaptive Cards renderer's DATE/TIME function syntax (adaptivecards 3.0.6, text-formatters.ts).
const DATE_FUNCTION = /\{{2}DATE\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:Z|(?:(?:-|\+)\d{2}:\d{2})))(?:, ?(COMPACT|LONG|SHORT))?\)\}{2}/;

describe('escapeMarkdown', () => {
  it('leaves ordinary text alone', () => {
    for (const text of [
      'thanks. ill think about it first',
      'Hi, is the premium plan available in Yangon? 🙏',
      'AT&T 50% off (today) #1!',
    ]) {
      assert.equal(escapeMarkdown(text), text);
    }
  });

  it('escapes bold, italics, links, images, code and strikethrough', () => {
    assert.equal(escapeMarkdown('**x**'), '\\*\\*x\\*\\*');
    assert.equal(escapeMarkdown('[link](https://evil)'), '\\[link\\](https://evil)');
    assert.equal(escapeMarkdown('![img](https://evil/x.png)'), '!\\[img\\](https://evil/x.png)');
    assert.equal(escapeMarkdown('_a_ `b` ~~c~~'), '\\_a\\_ \\`b\\` \\~\\~c\\~\\~');
    assert.equal(escapeMarkdown('<https://evil> <at>x</at>'), '\\<https://evil\\> \\<at\\>x\\</at\\>');
  });

  it('escapes block syntax at the start of a line', () => {
    assert.equal(escapeMarkdown('# title'), '\\# title');
    assert.equal(escapeMarkdown('- item'), '\\- item');
    assert.equal(escapeMarkdown('+ item'), '\\+ item');
    assert.equal(escapeMarkdown('1. item'), '1\\. item');
    assert.equal(escapeMarkdown('2) item'), '2\\) item');
    assert.equal(escapeMarkdown('> quote'), '\\> quote');
    assert.equal(escapeMarkdown('==='), '\\===');
    assert.equal(escapeMarkdown('---'), '\\---');
    assert.equal(escapeMarkdown('a - b 1. c'), 'a - b 1. c');
  });

  it('keeps character references from being decoded', () => {
    assert.equal(escapeMarkdown('&amp; &#42; &lt;'), '\\&amp; \\&#42; \\&lt;');
  });

  it('breaks {{DATE(…)}} and {{TIME(…)}} so the card does not replace them', () => {
    const escaped = escapeMarkdown('{{DATE(2025-12-23T11:16:52Z, SHORT)}} {{{x}}}');
    assert.doesNotMatch(escaped, DATE_FUNCTION);
    assert.ok(!escaped.includes('{{'));
    assert.equal(unescapeCommonMark(escaped), '{{DATE(2025-12-23T11:16:52Z, SHORT)}} {{{x}}}');
  });

  it('leaves ${…} as it is: the templating library never evaluates data', () => {
    assert.equal(escapeMarkdown('${secret} ${$root.x}'), '${secret} ${$root.x}');
  });

  it('renders every hostile sample back to exactly the original text', () => {
    const samples = [
      '**x** [link](https://evil) ${secret} {{x}}',
      'a\\*b\\* \\\\ c\\',
      '*_`~<>|[]()!#&;{}$',
      '5 * 3 = 15 and 2 * 4 = 8',
      'snake_case_name and file_v2_final.pdf',
      '| a | b |',
      '<script>alert(1)</script>',
    ];
    for (const text of samples) {
      const escaped = escapeMarkdown(text);
      assert.deepEqual(unescapedActive(escaped), [], `unescaped syntax in ${escaped}`);
      assert.equal(unescapeCommonMark(escaped), text);
    }
  });

  it('turns line breaks into paragraph breaks and keeps indentation as text', () => {
    assert.equal(escapeMarkdown('one\ntwo\r\nthree\rfour'), 'one\n\ntwo\n\nthree\n\nfour');
    assert.equal(escapeMarkdown('list:\n  - a\n\tb'), 'list:\n\n\u00a0\u00a0\\- a\n\n\u00a0\u00a0\u00a0\u00a0b');
    assert.equal(escapeMarkdown('a\n   \nb'), 'a\n\n\n\nb');
  });
});
