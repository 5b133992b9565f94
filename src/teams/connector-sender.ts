/** The TeamsSender on the Bot Connector REST API: the one place where delivery calls Teams. */
import type { Activity } from 'botbuilder';
import type { Conversation } from '../store/store';
import { threadRootId } from './activities';
import type { BotConnectorClient } from './connector-client';
import { type PostResult, type TeamsSender } from './sender';

export class ConnectorSender implements TeamsSender {
  constructor(private readonly client: BotConnectorClient) {}

  async post(conversation: Conversation, activity: Partial<Activity>): Promise<PostResult> {
    const bot = { id: conversation.botId, name: conversation.botName };
    if (conversation.type !== 'channel') {
      const id = await this.client.sendToConversation(conversation.serviceUrl, conversation.id, {
        ...activity,
        from: bot,
        conversation: { id: conversation.id } as Activity['conversation'],
      });
      return { activityId: id };
    }
    // A new post in a channel is a new conversation (thread) whose root is the activity.
    const created = await this.client.createConversation(conversation.serviceUrl, {
      isGroup: true,
      bot,
      tenantId: conversation.tenantId,
      channelData: { channel: { id: conversation.id }, tenant: { id: conversation.tenantId } },
      activity: { ...activity, from: bot },
    });
    // Without ids in Teams' answer the post is made but cannot be threaded or updated.
    return { activityId: created.activityId ?? (created.conversationId === null ? null : threadRootId(created.conversationId)) };
  }

  async reply(conversation: Conversation, rootActivityId: string, activity: Partial<Activity>): Promise<PostResult> {
    const thread = threadId(conversation, rootActivityId);
    const id = await this.client.sendToConversation(conversation.serviceUrl, thread, {
      ...activity,
      from: { id: conversation.botId, name: conversation.botName },
      conversation: { id: thread } as Activity['conversation'],
      replyToId: rootActivityId,
    });
    return { activityId: id };
  }

  async update(conversation: Conversation, activityId: string, activity: Partial<Activity>, rootActivityId: string | null): Promise<void> {
    const target = rootActivityId === null ? conversation.id : threadId(conversation, rootActivityId);
    await this.client.updateActivity(conversation.serviceUrl, target, activityId, {
      ...activity,
      type: 'message',
      conversation: { id: target } as Activity['conversation'],
    });
  }
}

/** Teams channel threads are addressed as `<channel id>;messageid=<root activity id>`. */
export function threadId(conversation: Conversation, rootActivityId: string): string {
  return `${conversation.id};messageid=${rootActivityId}`;
}
