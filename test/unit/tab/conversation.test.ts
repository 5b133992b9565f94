/** Which conversation a tab belongs to, from the Teams context. */
import assert from 'node:assert/strict';
import { tabConversation } from '../../../tab/src/logic/conversation';

describe('tab conversation', () => {
  it('is the channel in a channel tab, the chat in a group chat, none in a personal tab', () => {
    assert.deepEqual(tabConversation({ channel: { id: '19:a@thread.tacv2' }, chat: { id: 'x' } }), {
      kind: 'channel',
      id: '19:a@thread.tacv2',
    });
    assert.deepEqual(tabConversation({ chat: { id: '19:c@thread.v2' } }), { kind: 'groupChat', id: '19:c@thread.v2' });
    assert.equal(tabConversation({}), null);
  });
});
