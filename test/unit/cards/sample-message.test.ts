import assert from 'node:assert/strict';
import { parseFilterText } from '../../../src/bot/commands/parse';
import { SAMPLE_CONTACT_NAME, sampleMessage } from '../../../src/cards/sample-message';
import { matches } from '../../../src/subscriptions/match';

const VIP_TAGS = ['VIP', 'VVIP'];

describe('sampleMessage', () => {
  for (const words of [
    'all',
    'whatsapp vip',
    'telegram tag:"gold tier" "refund"',
    'outbound group ai unread>=5',
    'both direct human',
    'channel:wechat room:r-42 contact:c-7 keyword:invoice',
    'line messenger vip tag:partner',
  ]) {
    it(`is matched by the filters it was made for: ${words}`, () => {
      const parsed = parseFilterText(words, 'channel');
      assert.ok(parsed.ok, words);
      const { message, contact } = sampleMessage(parsed.filters, VIP_TAGS, Date.parse('2026-12-03T10:00:00Z'));
      assert.ok(matches(parsed.filters, { message, contact, vipTags: VIP_TAGS }), JSON.stringify({ message, contact }));
      assert.equal(contact.name, SAMPLE_CONTACT_NAME);
      assert.match(message.text, /sample/);
    });
  }
});
