import assert from 'node:assert/strict';
import { tabDeepLink } from '../../../src/teams/tab-deep-link';

const APP = '00000000-0000-4000-8000-0000000000aa';

describe('tabDeepLink', () => {
  it('a channel: the entity link with the channel id in its context', () => {
    const link = new URL(tabDeepLink(APP, { id: '19:abc@thread.tacv2', type: 'channel' }) ?? '');
    assert.equal(`${link.origin}${link.pathname}`, `https://teams.microsoft.com/l/entity/${APP}/klink-feed`);
    assert.deepEqual(JSON.parse(link.searchParams.get('context') ?? ''), { channelId: '19:abc@thread.tacv2' });
  });

  it('a group chat: the chat id and contextType chat', () => {
    const link = new URL(tabDeepLink(APP, { id: '19:g@thread.v2', type: 'groupChat' }) ?? '');
    assert.deepEqual(JSON.parse(link.searchParams.get('context') ?? ''), { chatId: '19:g@thread.v2', contextType: 'chat' });
  });

  it('none without an app id (local mode), none for a personal chat', () => {
    assert.equal(tabDeepLink(null, { id: '19:abc@thread.tacv2', type: 'channel' }), null);
    assert.equal(tabDeepLink(APP, { id: 'a:1', type: 'personal' }), null);
  });
});
