/** The card preview's Markdown: Teams' subset, and never markup of the card's own. */
import assert from 'node:assert/strict';
import { cardMarkdownToHtml } from '../../../tab/src/logic/markdown';

describe('tab card Markdown', () => {
  it('renders bold, italic, https links and line breaks', () => {
    assert.equal(cardMarkdownToHtml('**Ann** wrote _hi_'), '<strong>Ann</strong> wrote <em>hi</em>');
    assert.equal(
      cardMarkdownToHtml('[Open](https://app.klink.cloud/inbox/1?a=1&b=2)\nnext'),
      '<a href="https://app.klink.cloud/inbox/1?a=1&amp;b=2" target="_blank" rel="noopener noreferrer">Open</a><br>next',
    );
  });

  it('escapes HTML and keeps other links as text', () => {
    assert.equal(cardMarkdownToHtml('<img src=x onerror=alert(1)>'), '&lt;img src=x onerror=alert(1)&gt;');
    assert.equal(cardMarkdownToHtml('[x](javascript:alert(1))'), '[x](javascript:alert(1))');
    assert.equal(cardMarkdownToHtml('${name} "q"'), '${name} &quot;q&quot;');
  });
});
