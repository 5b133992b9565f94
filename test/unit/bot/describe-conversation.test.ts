import assert from 'node:assert/strict';
import type { Activity, ChannelAccount, ConversationAccount } from 'botbuilder';
import { describeConversation } from '../../../src/bot/klink-bot';

const SERVICE_URL = 'https://smba.trafficmanager.net/emea/';
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CHANNEL = '19:x@thread.tacv2';
const TEAM = '19:team-general@thread.tacv2';
const BOT: ChannelAccount = { id: '28:bot-app-id', name: 'klink' };

function conversation(fields: Partial<ConversationAccount>): ConversationAccount {
  return { id: '', name: '', isGroup: false, conversationType: '', ...fields };
}

/** A message in a channel thread, as Teams sends it when the bot is @mentioned in a reply. */
function channelThreadMessage(): Partial<Activity> {
  return {
    type: 'message',
    channelId: 'msteams',
    serviceUrl: SERVICE_URL,
    recipient: BOT,
    from: { id: '29:user', name: 'Ada' },
    conversation: conversation({ id: `${CHANNEL};messageid=123`, isGroup: true, conversationType: 'channel', tenantId: TENANT }),
    channelData: { channel: { id: CHANNEL }, team: { id: TEAM }, tenant: { id: TENANT } },
  };
}

describe('describeConversation', () => {
  it('keys a channel thread message by its channel, with the team and the tenant', () => {
    assert.deepEqual(describeConversation(channelThreadMessage()), {
      id: CHANNEL,
      type: 'channel',
      tenantId: TENANT,
      serviceUrl: SERVICE_URL,
      channelId: 'msteams',
      teamId: TEAM,
      botId: '28:bot-app-id',
      botName: 'klink',
    });
  });

  it('takes the channel id from the conversation id when channelData has no channel', () => {
    const activity = { ...channelThreadMessage(), channelData: { team: { id: TEAM }, tenant: { id: TENANT } } };
    const described = describeConversation(activity);
    assert.equal(described?.id, CHANNEL);
    assert.equal(described?.type, 'channel');
    assert.equal(described?.teamId, TEAM);
  });

  it('keys a root channel post (no ;messageid=) by the channel too', () => {
    const activity = {
      ...channelThreadMessage(),
      conversation: conversation({ id: CHANNEL, isGroup: true, conversationType: 'channel', tenantId: TENANT }),
    };
    assert.equal(describeConversation(activity)?.id, CHANNEL);
    const noChannelData = { ...activity, channelData: { tenant: { id: TENANT } } };
    assert.equal(describeConversation(noChannelData)?.id, CHANNEL);
  });

  it('recognises a channel by channelData.channel when conversationType is missing', () => {
    const activity = {
      ...channelThreadMessage(),
      conversation: conversation({ id: `${CHANNEL};messageid=123`, isGroup: true, tenantId: TENANT }),
    };
    const described = describeConversation(activity);
    assert.equal(described?.type, 'channel');
    assert.equal(described?.id, CHANNEL);
  });

  it('describes a group chat by its own id, without a team', () => {
    const activity: Partial<Activity> = {
      serviceUrl: SERVICE_URL,
      recipient: BOT,
      channelId: 'msteams',
      conversation: conversation({ id: '19:meeting_Zm9vYmFy@thread.v2', isGroup: true, conversationType: 'groupChat', tenantId: TENANT }),
      channelData: { tenant: { id: TENANT } },
    };
    assert.deepEqual(describeConversation(activity), {
      id: '19:meeting_Zm9vYmFy@thread.v2',
      type: 'groupChat',
      tenantId: TENANT,
      serviceUrl: SERVICE_URL,
      channelId: 'msteams',
      teamId: null,
      botId: '28:bot-app-id',
      botName: 'klink',
    });
    const onlyIsGroup = { ...activity, conversation: conversation({ id: '19:chat@thread.v2', isGroup: true, tenantId: TENANT }) };
    assert.equal(describeConversation(onlyIsGroup)?.type, 'groupChat');
  });

  it('describes a personal chat by its own id', () => {
    const activity: Partial<Activity> = {
      serviceUrl: SERVICE_URL,
      recipient: BOT,
      channelId: 'msteams',
      conversation: conversation({ id: 'a:1xYzPersonalChatId', conversationType: 'personal', tenantId: TENANT }),
    };
    const described = describeConversation(activity);
    assert.equal(described?.type, 'personal');
    assert.equal(described?.id, 'a:1xYzPersonalChatId');
    assert.equal(described?.teamId, null);
    const untyped = { ...activity, conversation: conversation({ id: 'a:1xYzPersonalChatId', tenantId: TENANT }) };
    assert.equal(describeConversation(untyped)?.type, 'personal');
  });

  it('takes the tenant from channelData when the conversation has none', () => {
    const activity = channelThreadMessage();
    activity.conversation = conversation({ id: `${CHANNEL};messageid=123`, isGroup: true, conversationType: 'channel' });
    activity.channelData = { channel: { id: CHANNEL }, team: { id: TEAM }, tenant: { id: 'tenant-from-channel-data' } };
    assert.equal(describeConversation(activity)?.tenantId, 'tenant-from-channel-data');
  });

  it('prefers conversation.tenantId over channelData', () => {
    const activity = { ...channelThreadMessage(), channelData: { channel: { id: CHANNEL }, tenant: { id: 'other' } } };
    assert.equal(describeConversation(activity)?.tenantId, TENANT);
  });

  it('keeps the regional serviceUrl as sent', () => {
    const activity = { ...channelThreadMessage(), serviceUrl: 'https://smba.trafficmanager.net/amer/' };
    assert.equal(describeConversation(activity)?.serviceUrl, 'https://smba.trafficmanager.net/amer/');
  });

  it('defaults the channel id to msteams and the bot name to klink', () => {
    const activity = { ...channelThreadMessage(), channelId: undefined, recipient: { id: '28:bot-app-id' } as ChannelAccount };
    const described = describeConversation(activity);
    assert.equal(described?.channelId, 'msteams');
    assert.equal(described?.botName, 'klink');
    const named = { ...channelThreadMessage(), recipient: { id: '28:bot-app-id', name: 'klink dev' } };
    assert.equal(describeConversation(named)?.botName, 'klink dev');
  });

  describe('cannot be identified (null)', () => {
    it('without any tenant', () => {
      const activity = channelThreadMessage();
      activity.conversation = conversation({ id: `${CHANNEL};messageid=123`, isGroup: true, conversationType: 'channel' });
      activity.channelData = { channel: { id: CHANNEL }, team: { id: TEAM } };
      assert.equal(describeConversation(activity), null);
      assert.equal(describeConversation({ ...activity, channelData: undefined }), null);
      assert.equal(describeConversation({ ...activity, channelData: { tenant: {} } }), null);
    });

    it('without a serviceUrl', () => {
      assert.equal(describeConversation({ ...channelThreadMessage(), serviceUrl: undefined }), null);
      assert.equal(describeConversation({ ...channelThreadMessage(), serviceUrl: '' }), null);
    });

    it('without a recipient (the bot) or its id', () => {
      assert.equal(describeConversation({ ...channelThreadMessage(), recipient: undefined }), null);
      assert.equal(describeConversation({ ...channelThreadMessage(), recipient: { id: '', name: 'klink' } }), null);
    });

    it('without a conversation or its id', () => {
      assert.equal(describeConversation({ ...channelThreadMessage(), conversation: undefined }), null);
      assert.equal(describeConversation({ ...channelThreadMessage(), conversation: conversation({ tenantId: TENANT }) }), null);
    });

    it('for an empty activity', () => {
      assert.equal(describeConversation({}), null);
    });
  });
});
