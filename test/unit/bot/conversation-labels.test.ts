import assert from 'node:assert/strict';
import type { Activity } from 'botbuilder';
import { conversationLabels } from '../../../src/bot/conversation-labels';

const BOT = { id: '28:bot', name: 'klink' };

describe('conversationLabels', () => {
  it("a channel: the channel's and the team's names; the General channel has none", () => {
    const activity: Partial<Activity> = { channelData: { channel: { id: 'c', name: 'VIP desk' }, team: { id: 't', name: 'Support' } } };
    assert.deepEqual(conversationLabels(activity, 'channel'), { name: 'VIP desk', teamName: 'Support' });
    assert.deepEqual(conversationLabels({ channelData: { channel: { id: 'c' }, team: { id: 't' } } }, 'channel'), {
      name: null,
      teamName: null,
    });
  });

  it('a group chat: its name when it has one', () => {
    const named = { conversation: { id: '19:g', name: 'Escalations', isGroup: true, conversationType: 'groupChat' } };
    assert.deepEqual(conversationLabels(named, 'groupChat'), { name: 'Escalations' });
    assert.deepEqual(
      conversationLabels({ conversation: { id: '19:g', name: '', isGroup: true, conversationType: 'groupChat' } }, 'groupChat'),
      {
        name: null,
      },
    );
  });

  it("a personal chat: the user's Entra object id, never the bot's", () => {
    const fromUser: Partial<Activity> = { from: { id: '29:u', name: 'Mia', aadObjectId: 'oid-mia' }, recipient: BOT };
    assert.deepEqual(conversationLabels(fromUser, 'personal'), { userAadObjectId: 'oid-mia' });
    assert.deepEqual(conversationLabels({ from: { ...BOT, aadObjectId: 'oid-bot' }, recipient: BOT }, 'personal'), {
      userAadObjectId: null,
    });
    assert.deepEqual(conversationLabels({ from: { id: '29:u', name: 'Mia' }, recipient: BOT }, 'personal'), { userAadObjectId: null });
  });
});
