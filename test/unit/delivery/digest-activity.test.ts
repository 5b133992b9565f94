/** The digest as Teams receives it: newest conversations first, the rest linked to klink's inbox. */
import assert from 'node:assert/strict';
import { digestActivity } from '../../../src/delivery/delivery-card';
import type { KlinkMessage } from '../../../src/klink/events';
import { sampleMessage } from '../cards/klink-samples';
import { assertValidCard, cardTexts } from '../../support/validate-card';

const SETTINGS = { vipTags: ['VIP'], roomUrlTemplate: 'https://app.klink.cloud/inbox/{roomId}' };

function message(id: string, roomId: string, text = `text of ${id}`, type = 'text'): KlinkMessage {
  const base = sampleMessage('message.inbound.json');
  return { ...base, id, roomId, text, type };
}

function digestCard(messages: KlinkMessage[]): unknown {
  const activity = digestActivity(
    messages.map((m) => ({ message: m, contact: null })),
    SETTINGS,
    'Combined.',
  );
  const card: unknown = activity.attachments?.[0]?.content;
  assertValidCard(card);
  return card;
}

describe('digestActivity', () => {
  it('lists the most recent conversations first and never hides the newest message', () => {
    // 40 busy rooms (3 messages each), then the newest message alone in a room of its own.
    const messages: KlinkMessage[] = [];
    for (let round = 0; round < 3; round++) {
      for (let room = 0; room < 40; room++) messages.push(message(`m-${round}-${room}`, `busy-${room}`));
    }
    messages.push(message('newest', 'quiet-room', 'the newest message'));
    const texts = cardTexts(digestCard(messages));
    const listed = texts.filter((t) => t.startsWith('[Open in klink]('));
    assert.ok(listed.length < 41, 'some conversations are left out');
    assert.equal(listed[0], '[Open in klink](https://app.klink.cloud/inbox/quiet-room)', 'the newest conversation comes first');
    assert.ok(texts.includes('the newest message'));
    // The busy rooms follow newest first: busy-39 got its last message after busy-38.
    assert.equal(listed[1], '[Open in klink](https://app.klink.cloud/inbox/busy-39)');
  });

  it("links the rest to klink's inbox with how many messages are left out", () => {
    const messages = Array.from({ length: 30 }, (_, i) => message(`m${i}`, `room-${i}`));
    const texts = cardTexts(digestCard(messages));
    const more = texts.at(-1) ?? '';
    assert.equal(more, '[…and 10 more in klink](https://app.klink.cloud/inbox/) from 10 other conversations');
  });

  it('shows "Image" or "File" as the latest line of a room whose newest message is media, not its URL', () => {
    const texts = cardTexts(
      digestCard([
        message('a', 'room-a', 'https://cdn.klink.cloud/media/photo.jpg', 'image'),
        message('b', 'room-b', 'https://cdn.klink.cloud/media/contract.pdf', 'file'),
      ]),
    );
    assert.ok(texts.includes('Image'), JSON.stringify(texts));
    assert.ok(texts.includes('File'), JSON.stringify(texts));
    assert.ok(!texts.some((t) => t.includes('cdn.klink.cloud')), 'no raw media URL');
  });
});
