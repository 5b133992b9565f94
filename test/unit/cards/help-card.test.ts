import assert from 'node:assert/strict';
import { helpCard } from '../../../src/cards/help-card';
import { assertValidCard, cardTexts } from '../../support/validate-card';

describe('helpCard', () => {
  const card = helpCard();
  const text = cardTexts(card).join('\n');

  it('is a valid card', () => {
    assertValidCard(card);
  });

  it('lists every command and its aliases', () => {
    for (const word of ['subscribe FILTERS', 'sub.', 'subscriptions', 'list, subscribe list', 'unsubscribe NUMBER', 'unsub.', 'unsubscribe all', 'help']) {
      assert.ok(text.includes(word), word);
    }
  });

  it('explains the whole filter grammar', () => {
    for (const word of [
      'whatsapp', 'messenger (or facebook)', 'instagram', 'line', 'viber', 'telegram', 'livechat (or webchat)', 'email', 'sms',
      'channel:TYPE', 'vip', 'VIP or VVIP', 'tag:NAME', '"a phrase" or keyword:WORD', 'inbound, outbound, both', 'group, direct',
      'ai, human', 'unread>=N', 'room:ID, contact:ID', 'must match', 'any of them',
    ]) {
      assert.ok(text.includes(word), word);
    }
  });

  it('gives the examples', () => {
    for (const example of [
      '@klink subscribe whatsapp vip',
      '@klink subscribe messenger "refund"',
      '@klink subscriptions',
      '@klink unsubscribe 2',
      '@klink unsubscribe all',
    ]) {
      assert.ok(cardTexts(card).includes(example), example);
    }
  });
});
