import assert from 'node:assert/strict';
import { parseCommand } from '../../../src/bot/commands/parse';
import { type KlinkContact, readMessage } from '../../../src/klink/events';
import type { Filters } from '../../../src/subscriptions/filters';
import { isVip, matches, matchingConversations } from '../../../src/subscriptions/match';
import { messageEvent } from '../../support/fixtures';

function f(words: string): Filters {
  const result = parseCommand(`subscribe ${words}`);
  if (!result.ok || result.command.kind !== 'subscribe') throw new Error(`bad filters ${words}`);
  return result.command.filters;
}

const vipContact: KlinkContact = { id: '050823aa-8443-4fed-9951-f58d3b18c4eb', name: 'John', tags: ['vvip', 'Gold'], updatedAt: null };
const plainContact: KlinkContact = { ...vipContact, tags: ['lead'] };
const vipTags = ['VIP', 'VVIP'];

function msg(overrides: Parameters<typeof messageEvent>[0] = {}) {
  const event = messageEvent(overrides) as { event: string; data: Record<string, unknown> };
  return readMessage(event.event, event.data);
}

describe('matches', () => {
  const inboundWhatsapp = msg();

  it('matches the sample VIP WhatsApp message against "whatsapp vip"', () => {
    assert.equal(matches(f('whatsapp vip'), { message: inboundWhatsapp, contact: vipContact, vipTags }), true);
  });

  it('does not match a non-VIP contact, an unknown contact, another channel, or an agent reply', () => {
    assert.equal(matches(f('whatsapp vip'), { message: inboundWhatsapp, contact: plainContact, vipTags }), false);
    assert.equal(matches(f('whatsapp vip'), { message: inboundWhatsapp, contact: null, vipTags }), false);
    assert.equal(matches(f('whatsapp vip'), { message: msg({ channelType: 'messenger' }), contact: vipContact, vipTags }), false);
    assert.equal(
      matches(f('whatsapp vip'), { message: msg({ event: 'message.outbound', direction: 'outgoing' }), contact: vipContact, vipTags }),
      false,
    );
  });

  it('checks every kind: tags, keywords, direction, group, ai, unread, room, contact', () => {
    const ctx = { message: inboundWhatsapp, contact: vipContact, vipTags };
    assert.equal(matches(f('tag:gold'), ctx), true);
    assert.equal(matches(f('tag:silver'), ctx), false);
    assert.equal(matches(f('"THINK ABOUT"'), ctx), true);
    assert.equal(matches(f('"refund"'), ctx), false);
    assert.equal(matches(f('"refund" "think"'), ctx), true);
    assert.equal(matches(f('outbound'), ctx), false);
    assert.equal(matches(f('both'), ctx), true);
    assert.equal(matches(f('group'), ctx), true);
    assert.equal(matches(f('direct'), ctx), false);
    assert.equal(matches(f('ai'), ctx), true);
    assert.equal(matches(f('human'), ctx), false);
    assert.equal(matches(f('unread>=5'), ctx), true);
    assert.equal(matches(f('unread>=6'), ctx), false);
    assert.equal(matches(f('room:1f13f5d8-e426-42c7-9ce1-f50862f21965'), ctx), true);
    assert.equal(matches(f('room:other'), ctx), false);
    assert.equal(matches(f('contact:050823aa-8443-4fed-9951-f58d3b18c4eb'), ctx), true);
    assert.equal(matches(f('contact:other'), ctx), false);
    assert.equal(matches(f('whatsapp messenger'), { ...ctx, message: msg({ channelType: 'messenger' }) }), true);
    assert.equal(matches(f('channel:tiktok'), { ...ctx, message: msg({ channelType: 'TikTok' }) }), true);
  });

  it('requires all kinds at once', () => {
    const ctx = { message: inboundWhatsapp, contact: vipContact, vipTags };
    assert.equal(matches(f('whatsapp vip tag:gold unread>=5 group ai'), ctx), true);
    assert.equal(matches(f('whatsapp vip tag:gold unread>=5 group human'), ctx), false);
  });

  it('isVip compares tags case-insensitively with KLINK_VIP_TAGS', () => {
    assert.equal(isVip(vipContact, vipTags), true);
    assert.equal(isVip(vipContact, ['platinum']), false);
    assert.equal(isVip(null, vipTags), false);
  });

  it('names each matching conversation once even when several of its subscriptions match', () => {
    const subs = [
      { id: 1, conversationId: 'c1', filters: f('whatsapp') },
      { id: 2, conversationId: 'c1', filters: f('vip') },
      { id: 3, conversationId: 'c2', filters: f('messenger') },
      { id: 4, conversationId: 'c3', filters: f('all') },
    ];
    assert.deepEqual(matchingConversations(subs, { message: inboundWhatsapp, contact: vipContact, vipTags }), [
      { conversationId: 'c1', subscriptionIds: [1, 2] },
      { conversationId: 'c3', subscriptionIds: [4] },
    ]);
  });
});
