import assert from 'node:assert/strict';
import { unsubscribedCard } from '../../../src/cards/unsubscribed-card';
import { assertValidCard, cardTexts } from '../../support/validate-card';

const one = { number: 2, command: 'whatsapp vip', description: 'Customer messages on WhatsApp from VIP contacts (tagged VIP or VVIP).' };
const two = { number: 5, command: 'email', description: 'Customer messages on Email.' };

describe('unsubscribedCard', () => {
  it('names the one subscription removed', () => {
    const card = unsubscribedCard({ removed: [one] }, 'channel');
    assertValidCard(card);
    const texts = cardTexts(card);
    assert.equal(texts[0], 'Unsubscribed (#2)');
    assert.ok(texts.includes('**#2** · @klink subscribe whatsapp vip'));
    assert.ok(texts.includes(one.description));
  });

  it('lists several removed subscriptions', () => {
    const card = unsubscribedCard({ removed: [one, two] }, 'channel');
    assertValidCard(card);
    const texts = cardTexts(card);
    assert.equal(texts[0], 'Unsubscribed: 2 subscriptions removed');
    assert.ok(texts.includes('**#5** · @klink subscribe email'));
  });

  it('says when nothing was removed', () => {
    const card = unsubscribedCard({ removed: [] }, 'channel');
    assertValidCard(card);
    assert.ok(cardTexts(card).some((t) => t.includes('nothing was changed')));
  });
});
