import assert from 'node:assert/strict';
import { subscribedCard } from '../../../src/cards/subscribed-card';
import { assertValidCard, cardTexts } from '../../support/validate-card';

describe('subscribedCard', () => {
  const subscription = {
    number: 2,
    command: 'whatsapp vip',
    description: 'Customer messages on WhatsApp from VIP contacts (tagged VIP or VVIP).',
  };

  it('renders exactly this card (snapshot)', () => {
    assert.deepEqual(subscribedCard(subscription, 'channel'), {
      type: 'AdaptiveCard',
      $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
      version: '1.4',
      msteams: { width: 'Full' },
      body: [
        { type: 'TextBlock', text: 'Subscribed (#2)', weight: 'Bolder', size: 'Medium', color: 'Good', wrap: true },
        { type: 'TextBlock', text: 'Customer messages on WhatsApp from VIP contacts (tagged VIP or VVIP).', wrap: true },
        {
          type: 'FactSet',
          facts: [
            { title: 'Command', value: '@klink subscribe whatsapp vip' },
            { title: 'To undo', value: '@klink unsubscribe 2' },
          ],
        },
      ],
    });
  });

  it('writes the command and its undo without the mention in a personal chat', () => {
    const texts = cardTexts(subscribedCard(subscription, 'personal'));
    assert.ok(texts.includes('subscribe whatsapp vip'));
    assert.ok(texts.includes('unsubscribe 2'));
  });

  it('is a valid card', () => {
    assertValidCard(subscribedCard(subscription, 'channel'));
  });

  it('shows what the user typed literally', () => {
    const card = subscribedCard(
      {
        number: 7,
        command: 'messenger "**refund** ${secret}" tag:[x](https://evil)',
        description: 'Customer messages containing "**refund** ${secret}".',
      },
      'channel',
    );
    assertValidCard(card);
    const texts = cardTexts(card);
    assert.ok(texts.includes('@klink subscribe messenger "\\*\\*refund\\*\\* ${secret}" tag:\\[x\\](https://evil)'));
    assert.ok(texts.includes('Customer messages containing "\\*\\*refund\\*\\* ${secret}".'));
    assert.ok(texts.includes('@klink unsubscribe 7'));
  });

  it('bounds very long commands and descriptions', () => {
    const card = subscribedCard({ number: 1, command: 'x'.repeat(1_000_000), description: 'y'.repeat(1_000_000) }, 'channel');
    assertValidCard(card);
  });
});
