import assert from 'node:assert/strict';
import { helpCard } from '../../../src/cards/help-card';
import { assertValidCard, cardTexts } from '../../support/validate-card';

describe('helpCard', () => {
  const card = helpCard('channel');
  const text = cardTexts(card).join('\n');

  it('is a valid card', () => {
    assertValidCard(card);
  });

  it('lists every command and its aliases', () => {
    for (const word of [
      'subscribe FILTERS',
      'sub.',
      'subscriptions',
      'list, subscribe list',
      'unsubscribe NUMBER',
      'unsub.',
      'unsubscribe all',
      'help',
    ]) {
      assert.ok(text.includes(word), word);
    }
  });

  it('lists every form of the commands that the README lists', () => {
    for (const form of ['unsubscribe 1 3', 'unsubscribe FILTERS', 'the same filters', 'all']) {
      assert.ok(text.includes(form), form);
    }
    assert.match(text, /\bvoice\b/);
    assert.ok(
      cardTexts(card).some((t) => t.startsWith('subscribe all')),
      'subscribe all is explained',
    );
  });

  it('writes the examples as they are typed in a personal chat: no @mention', () => {
    const personal = cardTexts(helpCard('personal'));
    for (const example of ['subscribe whatsapp vip', 'subscriptions', 'unsubscribe 2', 'unsubscribe all']) {
      assert.ok(personal.includes(example), example);
    }
    assert.ok(!personal.some((t) => /@klink (subscribe|unsubscribe|subscriptions|help)/.test(t)), JSON.stringify(personal));
  });

  it('explains the whole filter grammar', () => {
    for (const word of [
      'whatsapp',
      'messenger (or facebook)',
      'instagram',
      'line',
      'viber',
      'telegram',
      'livechat (or webchat)',
      'email',
      'sms',
      'voice',
      'channel:TYPE',
      'vip',
      'VIP or VVIP',
      'tag:NAME',
      '"a phrase" or keyword:WORD',
      'inbound, outbound, both',
      'group, direct',
      'ai, human',
      'unread>=N',
      'room:ID, contact:ID',
      'must match',
      'any of them',
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
