import assert from 'node:assert/strict';
import { welcomeCard } from '../../../src/cards/welcome-card';
import { assertValidCard, cardTexts } from '../../support/validate-card';

describe('welcomeCard', () => {
  it('is a valid card that says what the bot does and what to try first', () => {
    const card = welcomeCard('channel');
    assertValidCard(card);
    const texts = cardTexts(card);
    assert.ok(texts.some((t) => t.includes('klink.cloud customer conversations')));
    assert.ok(texts.includes('@klink subscribe whatsapp vip'));
    assert.ok(texts.some((t) => t.includes('@klink help')));
  });
});
