import assert from 'node:assert/strict';
import { inboxUrl } from '../../../src/klink/inbox-url';

describe('inboxUrl', () => {
  it('is the room URL template up to the last / before its first placeholder', () => {
    assert.equal(inboxUrl('https://app.klink.cloud/inbox/{roomId}'), 'https://app.klink.cloud/inbox/');
    assert.equal(inboxUrl('https://klink.example/rooms?id={roomId}'), 'https://klink.example/');
    assert.equal(inboxUrl('https://klink.example/inbox'), 'https://klink.example/inbox');
  });

  it('cannot end or break a markdown link', () => {
    assert.equal(inboxUrl('https://klink.example/a (b)/{roomId}'), 'https://klink.example/a%20%28b%29/');
  });

  it('is null when a placeholder leaves no address', () => {
    assert.equal(inboxUrl('https://{channelType}.klink.example/{roomId}'), null);
  });
});
