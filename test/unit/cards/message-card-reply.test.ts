/** The message card's Reply action and the replies shown on it (reply-lines.ts), through the real validator. */
import assert from 'node:assert/strict';
import { buildMessageCard } from '../../../src/cards/message-card';
import { replyLines } from '../../../src/cards/reply-lines';
import { replyLimit } from '../../../src/cards/reply-limit';
import { assertValidCard, cardTexts, cardTimeProblems, elementsOfType } from '../../support/validate-card';
import { sampleMessage } from './klink-samples';

const ROOM_URL = 'https://app.klink.cloud/inbox/r1';
const AT = Date.parse('2026-12-03T09:30:00Z');

describe('message card: replying', () => {
  const message = sampleMessage('message.inbound.json');

  it('has no Reply action unless asked for', () => {
    const card = buildMessageCard({ message, contact: null, vip: false, roomUrl: ROOM_URL });
    assert.deepEqual(elementsOfType(card, 'Action.ShowCard'), []);
    assert.deepEqual(elementsOfType(card, 'Input.Text'), []);
  });

  it('offers Reply: a multi-line text input with its limit and label, and Send (verb reply) naming the event and the card action', () => {
    const card = buildMessageCard({
      message,
      contact: null,
      vip: false,
      roomUrl: ROOM_URL,
      reply: { eventId: 42, actionKey: 'key-abc', maxLength: 4096 },
    });
    assertValidCard(card);
    const [show] = elementsOfType(card, 'Action.ShowCard');
    assert.equal(show.title, 'Reply');
    const [input] = elementsOfType(card, 'Input.Text');
    assert.equal(input.id, 'replyText');
    assert.equal(input.isMultiline, true);
    assert.equal(input.maxLength, 4096);
    assert.match(String(input.label), /on WhatsApp, sent as your klink workspace/);
    const [send] = elementsOfType(card, 'Action.Execute');
    assert.deepEqual([send.title, send.verb, send.data], ['Send', 'reply', { eventId: '42', replyKey: 'key-abc' }]);
  });

  it('shows replies sent, failed and unconfirmed, times as every card writes them; a refusal in place', () => {
    const lines = replyLines([
      { userName: 'Mia Agent', createdAt: AT, text: 'We are on it', outcome: 'sent', error: null },
      { userName: 'Ben', createdAt: AT, text: 'x', outcome: 'failed', error: 'the klink API token was refused' },
      { userName: 'Ann', createdAt: AT, text: 'Hi', outcome: 'unknown', error: null },
    ]);
    const card = buildMessageCard({
      message,
      contact: null,
      vip: false,
      roomUrl: ROOM_URL,
      replies: lines,
      problem: ['A reply must not be empty.'],
    });
    assertValidCard(card);
    assert.deepEqual(cardTimeProblems(card), []);
    const texts = cardTexts(card);
    const time = '{{DATE(2026-12-03T09:30:00Z, SHORT)}}, {{TIME(2026-12-03T09:30:00Z)}}';
    assert.ok(texts.includes(`Replied by Mia Agent at ${time}: We are on it`), JSON.stringify(texts));
    assert.ok(texts.includes(`Reply by Ben at ${time} was not sent: the klink API token was refused.`));
    assert.ok(texts.some((t) => t.startsWith(`Reply by Ann at ${time} may have been sent`)));
    assert.ok(texts.includes('A reply must not be empty.'));
  });

  it('shows the newest three replies and counts the earlier ones', () => {
    const many = Array.from({ length: 5 }, (_, i) => ({
      userName: 'Mia',
      createdAt: AT + i,
      text: `r${i}`,
      outcome: 'sent' as const,
      error: null,
    }));
    assert.deepEqual(
      replyLines(many).map((l) => l.text.replace(/ at .*: /, ': ')),
      ['2 earlier replies from this card', 'Replied by Mia: r2', 'Replied by Mia: r3', 'Replied by Mia: r4'],
    );
  });

  it("bounds a reply by the customer's channel: WhatsApp 4,096, Messenger 2,000, Instagram 1,000", () => {
    assert.deepEqual(['whatsapp', 'messenger', 'instagram', 'line', 'custom'].map(replyLimit), [4096, 2000, 1000, 4096, 4096]);
  });
});
