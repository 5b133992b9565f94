import assert from 'node:assert/strict';
import { channelDisplayName } from '../../../src/cards/channel-names';
import { describeFilters } from '../../../src/subscriptions/describe';
import { type Filters, emptyFilters } from '../../../src/subscriptions/filters';

const VIP_TAGS = ['VIP', 'VVIP'];

function sentence(overrides: Partial<Filters>, vipTags = VIP_TAGS): string {
  return describeFilters({ ...emptyFilters(), ...overrides }, vipTags);
}

describe('describeFilters', () => {
  it('describes the example from the design', () => {
    assert.equal(
      sentence({ channels: ['whatsapp'], vip: true, direction: 'inbound' }),
      'Customer messages on WhatsApp from VIP contacts (tagged VIP or VVIP).',
    );
  });

  it('describes empty filters as every customer message', () => {
    assert.equal(sentence({}), 'Every customer message from every channel.');
  });

  describe('direction', () => {
    it('outbound', () => {
      assert.equal(sentence({ direction: 'outbound' }), 'Every agent and AI agent reply from every channel.');
      assert.equal(sentence({ direction: 'outbound', channels: ['email'] }), 'Agent and AI agent replies on Email.');
    });

    it('both', () => {
      assert.equal(sentence({ direction: 'both' }), 'Every customer message and agent reply from every channel.');
      assert.equal(sentence({ direction: 'both', channels: ['sms'] }), 'Customer messages and agent replies on SMS.');
    });
  });

  describe('channels', () => {
    it('uses the friendly names of the message card', () => {
      for (const type of [
        'whatsapp',
        'messenger',
        'instagram',
        'line',
        'viber',
        'telegram',
        'livechat',
        'webchat',
        'email',
        'sms',
        'wechat',
      ]) {
        assert.equal(sentence({ channels: [type] }), `Customer messages on ${channelDisplayName(type)}.`);
      }
      assert.equal(sentence({ channels: ['line'] }), 'Customer messages on LINE.');
      assert.equal(sentence({ channels: ['wechat'] }), 'Customer messages on wechat.');
    });

    it('joins several with "or" and names each friendly name once', () => {
      assert.equal(sentence({ channels: ['whatsapp', 'messenger'] }), 'Customer messages on WhatsApp or Messenger.');
      assert.equal(
        sentence({ channels: ['livechat', 'webchat', 'telegram', 'viber'] }),
        'Customer messages on Live chat, Telegram or Viber.',
      );
    });
  });

  describe('contacts', () => {
    it('vip with the configured tags', () => {
      assert.equal(sentence({ vip: true }, ['Gold']), 'Customer messages from VIP contacts (tagged Gold).');
      assert.equal(sentence({ vip: true }, []), 'Customer messages from VIP contacts (no VIP tags are configured).');
    });

    it('tags', () => {
      assert.equal(sentence({ tags: ['gold'] }), 'Customer messages from contacts tagged "gold".');
      assert.equal(sentence({ tags: ['gold', 'silver'] }), 'Customer messages from contacts tagged "gold" or "silver".');
    });

    it('vip and tags together (both must hold)', () => {
      assert.equal(
        sentence({ vip: true, tags: ['gold'] }),
        'Customer messages from VIP contacts (tagged VIP or VVIP) who are also tagged "gold".',
      );
    });

    it('specific contacts', () => {
      assert.equal(sentence({ contacts: ['c1'] }), 'Customer messages from contact c1.');
      assert.equal(sentence({ contacts: ['c1', 'c2'] }), 'Customer messages from contact c1 or c2.');
      assert.equal(
        sentence({ tags: ['gold'], contacts: ['c1'] }),
        'Customer messages from contacts tagged "gold", and only from contact c1.',
      );
    });
  });

  it('keywords', () => {
    assert.equal(sentence({ keywords: ['refund'] }), 'Customer messages containing "refund".');
    assert.equal(sentence({ keywords: ['refund', 'late', 'broken'] }), 'Customer messages containing "refund", "late" or "broken".');
  });

  describe('rooms', () => {
    it('group and direct', () => {
      assert.equal(sentence({ group: true }), 'Customer messages in group chats.');
      assert.equal(sentence({ group: false }), 'Customer messages in one-to-one chats.');
    });

    it('AI agent and human rooms', () => {
      assert.equal(sentence({ ai: true }), 'Customer messages in rooms handled by an AI agent.');
      assert.equal(sentence({ ai: false }), 'Customer messages in rooms handled by people.');
      assert.equal(sentence({ group: true, ai: false }), 'Customer messages in group chats handled by people.');
    });

    it('unread count', () => {
      assert.equal(sentence({ minUnread: 1 }), 'Customer messages in rooms with at least 1 unread message.');
      assert.equal(sentence({ minUnread: 5, group: false }), 'Customer messages in one-to-one chats with at least 5 unread messages.');
    });

    it('specific rooms, with their conditions', () => {
      assert.equal(sentence({ rooms: ['r1'] }), 'Customer messages in room r1.');
      assert.equal(sentence({ rooms: ['r1', 'r2'] }), 'Customer messages in room r1 or r2.');
      assert.equal(
        sentence({ rooms: ['r1'], group: true, ai: true, minUnread: 2 }),
        'Customer messages in room r1 (while it is a group chat, is handled by an AI agent and has at least 2 unread messages).',
      );
    });
  });

  it('combines every kind in one sentence', () => {
    assert.equal(
      sentence({
        channels: ['whatsapp', 'instagram'],
        vip: true,
        tags: ['gold'],
        keywords: ['refund'],
        direction: 'both',
        group: false,
        ai: false,
        minUnread: 3,
        contacts: ['c9'],
      }),
      'Customer messages and agent replies containing "refund" on WhatsApp or Instagram in one-to-one chats handled by people ' +
        'with at least 3 unread messages from VIP contacts (tagged VIP or VVIP) who are also tagged "gold", and only from contact c9.',
    );
  });

  it('keeps user words as they are (cards escape the sentence)', () => {
    assert.equal(sentence({ keywords: ['**${x}**'] }), 'Customer messages containing "**${x}**".');
  });
});
