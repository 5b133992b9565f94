import assert from 'node:assert/strict';
import { commandErrorCard } from '../../../src/cards/command-error-card';
import { assertValidCard, cardTexts } from '../../support/validate-card';

describe('commandErrorCard', () => {
  it('shows the problem, the suggestion and the usage, and says nothing changed', () => {
    const card = commandErrorCard(
      {
        problem: 'I don\'t know the word "whatsap"',
        suggestion: 'Did you mean "whatsapp"?',
        usage: 'subscribe <filters…>, e.g. subscribe whatsapp vip',
      },
      'channel',
    );
    assertValidCard(card);
    assert.deepEqual(cardTexts(card), [
      'I don\'t know the word "whatsap"',
      'Did you mean "whatsapp"?',
      '**Usage:** subscribe \\<filters…\\>, e.g. subscribe whatsapp vip',
      'Nothing was changed. Type @klink help to see every command and filter.',
    ]);
  });

  it('tells how to get help as it is typed in a personal chat', () => {
    const card = commandErrorCard({ problem: 'x' }, 'personal');
    assert.equal(cardTexts(card).at(-1), 'Nothing was changed. Type help to see every command and filter.');
  });

  it('leaves out what it was not given', () => {
    const card = commandErrorCard({ problem: 'Say which subscription to remove.' }, 'channel');
    assertValidCard(card);
    assert.equal(cardTexts(card).length, 2);
  });

  it('shows the words the user typed literally', () => {
    const card = commandErrorCard({ problem: 'I don\'t know the word "**${secret}**"', suggestion: '[x](https://evil)' }, 'channel');
    assertValidCard(card);
    const texts = cardTexts(card);
    assert.equal(texts[0], 'I don\'t know the word "\\*\\*${secret}\\*\\*"');
    assert.equal(texts[1], '\\[x\\](https://evil)');
  });

  it('still says something for an empty problem', () => {
    const card = commandErrorCard({ problem: ' ' }, 'channel');
    assertValidCard(card);
    assert.equal(cardTexts(card)[0], 'That command did not work.');
  });
});
