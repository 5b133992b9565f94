import assert from 'node:assert/strict';
import { MAX_CARD_BYTES, cardByteLength } from '../../../src/cards/render';
import { subscriptionsCard } from '../../../src/cards/subscriptions-card';
import { assertValidCard, cardTexts } from '../../support/validate-card';

describe('subscriptionsCard', () => {
  it('lists each subscription with its number, command and description', () => {
    const card = subscriptionsCard(
      {
        items: [
          { number: 1, command: 'whatsapp vip', description: 'Customer messages on WhatsApp from VIP contacts (tagged VIP or VVIP).' },
          { number: 4, command: 'messenger "refund"', description: 'Customer messages containing "refund" on Messenger.' },
        ],
      },
      'channel',
    );
    assertValidCard(card);
    const texts = cardTexts(card);
    assert.equal(texts[0], 'Subscriptions here (2)');
    assert.ok(texts.includes('**#1** · @klink subscribe whatsapp vip'));
    assert.ok(texts.includes('**#4** · @klink subscribe messenger "refund"'));
    assert.ok(texts.includes('Customer messages containing "refund" on Messenger.'));
    assert.ok(texts.some((t) => t.includes('@klink unsubscribe 1')));
    assert.ok(!texts.some((t) => t.includes('no subscriptions')));
  });

  it('says there are none and how to add one', () => {
    const card = subscriptionsCard({ items: [] }, 'channel');
    assertValidCard(card);
    const texts = cardTexts(card);
    assert.ok(texts.some((t) => t.includes('There are no subscriptions')));
    assert.ok(texts.some((t) => t.includes('@klink subscribe whatsapp vip')));
    assert.ok(!texts.some((t) => t.includes('unsubscribe')));
  });

  it('shows what fits in 28 KB and says how many more there are', () => {
    const items = Array.from({ length: 500 }, (_, i) => ({
      number: i + 1,
      command: `tag:customer-${i} "a rather long keyword phrase ${i}"`,
      description: `Customer messages containing "a rather long keyword phrase ${i}" from contacts tagged "customer-${i}".`,
    }));
    const card = subscriptionsCard({ items }, 'channel');
    assertValidCard(card);
    assert.ok(cardByteLength(card) <= MAX_CARD_BYTES);
    const texts = cardTexts(card);
    assert.equal(texts[0], 'Subscriptions here (500)');
    const shown = texts.filter((t) => t.startsWith('**#')).length;
    assert.ok(shown > 0 && shown < 500);
    assert.ok(texts.includes(`…and ${500 - shown} more that do not fit on one card.`));
  });
});
