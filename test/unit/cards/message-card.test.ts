import assert from 'node:assert/strict';
import sinon from 'sinon';
import { escapeMarkdown } from '../../../src/cards/escape-markdown';
import { type MessageCardInput, buildMessageCard } from '../../../src/cards/message-card';
import { CardTooLargeError, MAX_CARD_BYTES, cardByteLength } from '../../../src/cards/render';
import type { KlinkContact, KlinkMessage } from '../../../src/klink/events';
import { assertValidCard, cardTexts, cardTimeProblems, elementsOfType } from '../../support/validate-card';
import { MESSAGE_SAMPLES, sampleContact, sampleMessage } from './klink-samples';

const ROOM_URL = 'https://app.klink.cloud/inbox/rooms/1f13f5d8-e426-42c7-9ce1-f50862f21965';

function unescapeCommonMark(text: string): string {
  return text.replace(/\\([!-/:-@[-`{-~])/g, '$1');
}

function inbound(overrides: Partial<KlinkMessage> = {}, room: Partial<KlinkMessage['room']> = {}): KlinkMessage {
  const message = sampleMessage('message.inbound.json');
  return { ...message, ...overrides, room: { ...message.room, ...room } };
}

function card(overrides: Partial<MessageCardInput> = {}) {
  const built = buildMessageCard({ message: inbound(), contact: null, vip: false, roomUrl: ROOM_URL, ...overrides });
  assertValidCard(built);
  return built;
}

/** The TextBlock that carries the message text (escaped). */
function messageTextOf(built: ReturnType<typeof card>, messageText: string): string {
  const found = cardTexts(built).find((t) => t === escapeMarkdown(messageText));
  assert.ok(found !== undefined, `message text not on the card: ${JSON.stringify(cardTexts(built))}`);
  return found;
}

describe('buildMessageCard', () => {
  const john: KlinkContact = sampleContact('contact.create.json');

  describe('with klink sample payloads', () => {
    for (const file of MESSAGE_SAMPLES) {
      it(`renders a valid card for ${file}`, () => {
        const built = card({ message: sampleMessage(file), contact: john, vip: true });
        const actions = elementsOfType(built, 'Action.OpenUrl');
        assert.deepEqual(actions, [{ type: 'Action.OpenUrl', title: 'Open in klink', url: ROOM_URL }]);
        assert.equal(built.actions?.length, 1);
      });
    }

    it('shows channel, inbox, contact, direction, time and badges of message.inbound.json', () => {
      const built = card({ message: sampleMessage('message.inbound.json'), contact: john, vip: true });
      const texts = cardTexts(built);
      assert.ok(texts.includes('John'));
      assert.ok(texts.includes('VIP'));
      assert.ok(texts.includes('WhatsApp · klink.cloud WA'));
      assert.ok(texts.includes('**Customer** · {{DATE(2025-12-23T11:16:52Z, SHORT)}}, {{TIME(2025-12-23T11:16:52Z)}}'));
      assert.ok(texts.includes('thanks. ill think about it first'));
      for (const badge of ['Group', 'AI agent room', '5 unread']) assert.ok(texts.includes(badge), badge);
    });

    it('shows a direct Messenger room without group or AI badges', () => {
      const texts = cardTexts(card({ message: sampleMessage('message.inbound.messenger-direct.json') }));
      assert.ok(texts.includes('Messenger · klink.cloud Facebook Page'));
      assert.ok(texts.includes('1 unread'));
      assert.ok(!texts.includes('Group'));
      assert.ok(!texts.includes('AI agent room'));
    });

    it('shows an image for the image sample', () => {
      const built = card({ message: sampleMessage('message.inbound.image.json') });
      const images = elementsOfType(built, 'Image');
      assert.equal(images.length, 1);
      assert.equal(images[0].url, 'https://cdn.klink.cloud/media/2025/12/receipt-4471.jpg');
      assert.ok(!cardTexts(built).some((t) => t.includes('receipt-4471')), 'the URL is not repeated as text');
    });

    it('never shows the platform id or phone numbers of the samples', () => {
      const json = JSON.stringify(card({ message: sampleMessage('message.inbound.json'), contact: john, vip: true }));
      assert.ok(!json.includes('waapi'));
      assert.ok(!json.includes('66650491488'));
      assert.ok(!json.includes('06838387278'));
    });
  });

  describe('contact and VIP', () => {
    it('shows the VIP badge only for VIP contacts', () => {
      assert.ok(cardTexts(card({ contact: john, vip: true })).includes('VIP'));
      assert.ok(!cardTexts(card({ contact: john, vip: false })).includes('VIP'));
    });

    it('says "Unknown contact" when the contact is not known or has no usable name', () => {
      assert.ok(cardTexts(card({ contact: null })).includes('Unknown contact'));
      assert.ok(cardTexts(card({ contact: { ...john, name: '  ' } })).includes('Unknown contact'));
      const phone = card({ contact: { ...john, name: '+66 650 491 488' } });
      assert.ok(cardTexts(phone).includes('Unknown contact'));
      assert.ok(!JSON.stringify(phone).includes('491 488'));
    });

    it('shows a contact name literally', () => {
      const texts = cardTexts(card({ contact: { ...john, name: '**Eve** [x](https://evil)' } }));
      assert.ok(texts.includes('\\*\\*Eve\\*\\* \\[x\\](https://evil)'));
    });
  });

  describe('direction', () => {
    const author = (message: KlinkMessage) => cardTexts(card({ message })).find((t) => t.includes('{{DATE('));

    it('calls inbound messages "Customer"', () => {
      assert.match(author(inbound({ direction: 'inbound' })) ?? '', /^\*\*Customer\*\* · /);
    });

    it('calls outbound messages in an AI agent room "AI agent"', () => {
      assert.match(author(sampleMessage('message.outbound.json')) ?? '', /^\*\*AI agent\*\* · /);
    });

    it('calls other outbound messages "Agent"', () => {
      assert.match(author(inbound({ direction: 'outbound' }, { isAiAgentRoom: false })) ?? '', /^\*\*Agent\*\* · /);
    });
  });

  describe('time', () => {
    const sandbox = sinon.createSandbox();
    afterEach(() => sandbox.restore());

    it('formats createdAt for the card DATE and TIME functions (no fractional seconds)', () => {
      const texts = cardTexts(card({ message: inbound({ createdAt: '2026-01-09T03:42:38.000000Z' }) }));
      const line = texts.find((t) => t.includes('{{DATE('));
      assert.equal(line, '**Customer** · {{DATE(2026-01-09T03:42:38Z, SHORT)}}, {{TIME(2026-01-09T03:42:38Z)}}');
      // The Adaptive Cards renderer's own patterns (adaptivecards 3.0.6, text-formatters.ts).
      const stamp = '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(?:Z|(?:(?:-|\\+)\\d{2}:\\d{2}))';
      assert.match(line, new RegExp(`\\{{2}DATE\\((${stamp})(?:, ?(COMPACT|LONG|SHORT))?\\)\\}{2}`));
      assert.match(line, new RegExp(`\\{{2}TIME\\((${stamp})\\)\\}{2}`));
    });

    it("writes every time one way (message, thread's latest, notice), all in the reader's zone", () => {
      const built = card({
        message: inbound({ createdAt: '2026-01-09T03:42:38.000000Z' }),
        thread: { messageCount: 3, latestText: 'later', latestAt: '2026-01-09T05:00:00Z' },
        notice: ['Muted here until ', { time: Date.UTC(2026, 0, 9, 6) }, ' by Mia.'],
      });
      assert.deepEqual(cardTimeProblems(built), []);
      assert.equal(JSON.stringify(built).match(/\{\{DATE\(/g)?.length, 3);
    });

    it('uses `now` when createdAt is missing or invalid', () => {
      const now = new Date('2026-02-03T04:05:06.789Z');
      for (const createdAt of ['', 'yesterday', '+275760-09-13T00:00:00Z']) {
        const texts = cardTexts(card({ message: inbound({ createdAt }), now }));
        assert.ok(
          texts.some((t) => t.includes('{{DATE(2026-02-03T04:05:06Z, SHORT)}}')),
          createdAt,
        );
      }
    });

    it('falls back to the current time without `now`', () => {
      sandbox.useFakeTimers(new Date('2027-07-07T07:07:07Z'));
      const texts = cardTexts(card({ message: inbound({ createdAt: '' }) }));
      assert.ok(texts.some((t) => t.includes('{{TIME(2027-07-07T07:07:07Z)}}')));
    });
  });

  describe('message text', () => {
    it('shows short text whole, without a shortened note', () => {
      const texts = cardTexts(card({ message: inbound({ text: 'short' }) }));
      assert.ok(texts.includes('short'));
      assert.ok(!texts.some((t) => t.startsWith('Shortened')));
    });

    it('truncates long text at 1,000 characters with an ellipsis and a note', () => {
      const long = 'word '.repeat(1000);
      const texts = cardTexts(card({ message: inbound({ text: long }) }));
      const shown = texts.find((t) => t.startsWith('word word'));
      assert.ok(shown !== undefined);
      assert.ok(shown.length <= 1000);
      assert.ok(shown.endsWith('word…'));
      assert.ok(texts.some((t) => t.startsWith('Shortened')));
    });

    for (const [name, unit] of [
      ['letters', 'a'],
      ['Markdown characters (escaping doubles them)', '*_['],
      ['emoji (4 bytes each)', '🙏'],
      ['line breaks', 'a\n'],
      ['control characters (6 bytes each in JSON)', '\u0001'],
    ] as const) {
      it(`keeps a card for a 1 MiB text of ${name} within 28 KB`, () => {
        const text = unit.repeat(Math.ceil((1024 * 1024) / unit.length));
        const built = card({ message: inbound({ text }), contact: { ...john, name: unit.repeat(5000) } });
        assert.ok(cardByteLength(built) <= MAX_CARD_BYTES);
        assert.ok(cardTexts(built).some((t) => t.startsWith('Shortened')));
      });
    }

    it('keeps a card with a 1 MiB inbox name and contact name within 28 KB', () => {
      const built = card({
        message: inbound({}, { channelName: 'inbox '.repeat(200_000), channelType: 'x'.repeat(100_000) }),
        contact: { ...john, name: 'n'.repeat(1024 * 1024) },
      });
      assert.ok(cardByteLength(built) <= MAX_CARD_BYTES);
    });

    it('shows ${…} from the customer literally instead of evaluating it', () => {
      for (const text of ['${secret}', '${roomUrl}', '${$root.roomUrl}', '{{x}}', 'pay ${contactName} now']) {
        const built = card({ message: inbound({ text }) });
        const shown = messageTextOf(built, text);
        assert.equal(unescapeCommonMark(shown), text);
        assert.ok(!cardTexts(built).some((t) => t.includes(ROOM_URL)), 'room URL leaked into text');
      }
    });

    it('shows Markdown from the customer literally', () => {
      const text = '**x** [link](https://evil) _y_ `z`\n- item\n1. one';
      const shown = messageTextOf(card({ message: inbound({ text }) }), text);
      assert.equal(shown, '\\*\\*x\\*\\* \\[link\\](https://evil) \\_y\\_ \\`z\\`\n\n\\- item\n\n1\\. one');
    });

    it('shortens the text further when the rest of the card is large', () => {
      const roomUrl = `https://app.klink.cloud/r/${'a'.repeat(24_000)}`;
      const built = card({ message: inbound({ text: '\u0001'.repeat(5000) }), roomUrl });
      assert.ok(cardByteLength(built) <= MAX_CARD_BYTES);
      const shown = cardTexts(built).find((t) => t.startsWith('\u0001'));
      assert.ok(shown !== undefined && shown.length < 1000, 'text shortened below 1,000 characters');
    });

    it('gives up with CardTooLargeError when even an empty text does not fit', () => {
      const roomUrl = `https://app.klink.cloud/r/${'a'.repeat(30_000)}`;
      assert.throws(() => buildMessageCard({ message: inbound(), contact: null, vip: false, roomUrl }), CardTooLargeError);
    });

    it('says so when a text message is empty', () => {
      assert.ok(cardTexts(card({ message: inbound({ text: '  ' }) })).includes('(empty message)'));
    });
  });

  describe('media and other types', () => {
    it('shows a non-https or non-image "image" as text, never as an Image', () => {
      for (const text of ['http://cdn.klink.cloud/a.jpg', 'javascript:alert(1)//.png', 'not a url']) {
        const built = card({ message: inbound({ type: 'image', text }) });
        assert.equal(elementsOfType(built, 'Image').length, 0, text);
        assert.ok(cardTexts(built).includes(escapeMarkdown(text)), text);
      }
    });

    it('links an https image of another format', () => {
      const texts = cardTexts(card({ message: inbound({ type: 'image', text: 'https://cdn.klink.cloud/a.webp' }) }));
      assert.ok(texts.includes('[Open image](https://cdn.klink.cloud/a.webp)'));
    });

    for (const type of ['file', 'document', 'video', 'audio']) {
      it(`links the attachment of ${type} messages`, () => {
        const texts = cardTexts(card({ message: inbound({ type, text: 'https://cdn.klink.cloud/media/q(1).pdf' }) }));
        assert.ok(texts.includes('[Open attachment](https://cdn.klink.cloud/media/q%281%29.pdf)'));
      });
    }

    it('shows a file message without an https URL as text', () => {
      const texts = cardTexts(card({ message: inbound({ type: 'file', text: 'ftp://x/a.pdf' }) }));
      assert.ok(texts.includes('ftp://x/a.pdf'));
      assert.ok(!texts.some((t) => t.includes('Open attachment')));
    });

    it('shows unknown types as "[<type> message]" plus their text', () => {
      const texts = cardTexts(card({ message: inbound({ type: 'sticker', text: 'smile' }) }));
      assert.ok(texts.includes('\\[sticker message\\]'));
      assert.ok(texts.includes('smile'));
      assert.ok(cardTexts(card({ message: inbound({ type: 'location', text: '' }) })).includes('\\[location message\\]'));
    });

    it('shows unknown channel types by their raw name', () => {
      assert.ok(cardTexts(card({ message: inbound({}, { channelType: 'wechat', channelName: '' }) })).includes('wechat'));
    });
  });

  it('refuses an empty room URL', () => {
    assert.throws(() => buildMessageCard({ message: inbound(), contact: null, vip: false, roomUrl: ' ' }), /room URL/);
  });
});
