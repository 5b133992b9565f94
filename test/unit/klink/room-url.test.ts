import assert from 'node:assert/strict';
import { readMessage } from '../../../src/klink/events';
import { roomUrl } from '../../../src/klink/room-url';

const TEMPLATE = 'https://app.klink.cloud/inbox/{roomId}?message={messageId}';
const message = (roomId: string, id = 'm1') => readMessage('message.inbound', { id, roomId, room: { channel: { type: 'whatsapp' } } });

/** Where a browser (WHATWG URL) would take the reader. */
const target = (href: string) => new URL(href);

describe('roomUrl', () => {
  it('fills the placeholders, each URL-encoded', () => {
    assert.equal(roomUrl(TEMPLATE, message('room a/b?c#d')), 'https://app.klink.cloud/inbox/room%20a%2Fb%3Fc%23d?message=m1');
  });

  it("no roomId changes the link's host or leaves its path segment", () => {
    for (const roomId of ['..', '.', '../../admin', '%2e%2e', '.%2E', '//evil.example', '@evil.example', '\\..\\x']) {
      const url = target(roomUrl(TEMPLATE, message(roomId)));
      assert.equal(url.host, 'app.klink.cloud', roomId);
      assert.ok(url.pathname.startsWith('/inbox/'), `${roomId} → ${url.href}`);
      assert.equal(url.pathname.split('/').length, 3, `${roomId} stays one segment: ${url.href}`);
    }
  });

  it('encodes the characters that would end a Markdown link destination', () => {
    const href = roomUrl(TEMPLATE, message("a)b(c*'!"));
    assert.doesNotMatch(href, /[()'*!]/);
    assert.equal(decodeURIComponent(target(href).pathname.split('/')[2]), "a)b(c*'!");
  });

  it('never throws: an unpaired surrogate (stored before ids were checked) is replaced, not carried', () => {
    const href = roomUrl(TEMPLATE, message('\ud800room'));
    assert.equal(target(href).pathname, '/inbox/%EF%BF%BDroom');
  });
});
