import assert from 'node:assert/strict';
import { buildDigestCard } from '../../../src/cards/digest-card';
import { MAX_CARD_BYTES, cardByteLength } from '../../../src/cards/render';
import { assertValidCard, cardTexts } from '../../support/validate-card';

const INBOX = 'https://app.klink.cloud/inbox/';
const room = (i: number, count = 1, vip = false) => ({
  channelType: i % 2 === 0 ? 'whatsapp' : 'messenger',
  contactName: `Contact ${i}`,
  vip,
  count,
  latestText: `latest line of room ${i} **bold** \${secret}`,
  newest: i,
  roomUrl: `https://app.klink.cloud/inbox/room-${i}`,
});

describe('buildDigestCard', () => {
  it('lists rooms with counts, latest lines and links; the most recent first', () => {
    const card = buildDigestCard({ rooms: [room(1, 3), room(2, 1, true)], reason: 'Combined to stay within limits.', inboxUrl: INBOX });
    assertValidCard(card);
    const texts = cardTexts(card);
    assert.equal(texts[0], '4 klink messages in 2 conversations');
    assert.ok(texts.indexOf('WhatsApp · Contact 2 · VIP · 1 message') < texts.indexOf('Messenger · Contact 1 · 3 messages'));
    assert.ok(texts.some((t) => t.includes('[Open in klink](https://app.klink.cloud/inbox/room-1)')));
    assert.ok(
      texts.some((t) => t.includes('\\*\\*bold\\*\\*') && t.includes('${secret}')),
      'customer text is escaped and literal',
    );
  });

  it('stays complete in its counts when rooms are left out, and under 28 KB', () => {
    const rooms = Array.from({ length: 300 }, (_, i) => ({ ...room(i, 2), latestText: 'x'.repeat(500) }));
    const card = buildDigestCard({ rooms, reason: 'r', inboxUrl: INBOX });
    assertValidCard(card);
    assert.ok(cardByteLength(card) <= MAX_CARD_BYTES);
    const texts = cardTexts(card);
    assert.equal(texts[0], '600 klink messages in 300 conversations');
    assert.match(texts.at(-1) ?? '', /^\[…and \d+ more in klink\]\(https:\/\/app\.klink\.cloud\/inbox\/\) from \d+ other conversations$/);
  });

  it('says how many more without a link when there is no inbox address', () => {
    const rooms = Array.from({ length: 25 }, (_, i) => room(i));
    const texts = cardTexts(buildDigestCard({ rooms, reason: 'r', inboxUrl: null }));
    assert.equal(texts.at(-1), '…and 5 more in klink from 5 other conversations');
  });
});

describe('buildDigestCard room links', () => {
  it('a link target with ) ( or spaces cannot end the Markdown link early or add text', () => {
    const card = buildDigestCard({
      rooms: [{ ...room(1), roomUrl: 'https://app.klink.cloud/inbox/a)b [x](https://evil.example' }],
      reason: 'r',
      inboxUrl: null,
    });
    assertValidCard(card);
    const link = cardTexts(card).find((t) => t.includes('Open in klink')) ?? '';
    const match = /^\[Open in klink\]\(([^()\s]*)\)$/.exec(link);
    assert.ok(match, `one link and nothing else: ${link}`);
    assert.equal(new URL(match[1]).pathname, '/inbox/a%29b%20%5Bx%5D%28https://evil.example');
  });
});
