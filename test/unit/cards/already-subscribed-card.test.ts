import assert from 'node:assert/strict';
import { alreadySubscribedCard } from '../../../src/cards/already-subscribed-card';
import { assertValidCard, cardTexts } from '../../support/validate-card';

describe('alreadySubscribedCard', () => {
  it('says nothing changed and shows the existing subscription', () => {
    const card = alreadySubscribedCard(
      { number: 3, command: 'messenger "refund"', description: 'Customer messages containing "refund" on Messenger.' },
      'channel',
    );
    assertValidCard(card);
    const texts = cardTexts(card);
    assert.equal(texts[0], 'Already subscribed — nothing changed');
    assert.ok(texts.some((t) => t.includes('#3')));
    assert.ok(texts.includes('Customer messages containing "refund" on Messenger.'));
    assert.ok(texts.includes('@klink subscribe messenger "refund"'));
    assert.ok(texts.includes('@klink unsubscribe 3'));
  });
});
