/** The TeamsSender on botbuilder's CloudAdapter: the one place where delivery calls Teams. */
import type { Activity, CloudAdapter, ConversationParameters, ConversationReference } from 'botbuilder';
import type { ConnectorClient } from 'botframework-connector';
import type { AdaptiveCardJson } from '../cards/render';
import type { Conversation } from '../store/store';
import { cardActivity, threadRootId } from './activities';
import { type PostResult, type TeamsSender, TeamsSendError } from './sender';

/** The audience of Bot Framework tokens for the public cloud. */
const BOT_FRAMEWORK_AUDIENCE = 'https://api.botframework.com';

export class CloudSender implements TeamsSender {
  constructor(
    private readonly adapter: CloudAdapter,
    /** The bot's app id; empty in local mode. */
    private readonly botAppId: string,
  ) {}

  async postCard(conversation: Conversation, card: AdaptiveCardJson, summary: string): Promise<PostResult> {
    const activity = cardActivity(card, summary);
    try {
      if (conversation.type === 'channel') return await this.newChannelThread(conversation, activity);
      return await this.sendToChat(conversation, activity);
    } catch (err) {
      throw toSendError(err);
    }
  }

  /** A new post in a channel is a new conversation (thread) whose root is the card. */
  private async newChannelThread(conversation: Conversation, activity: ReturnType<typeof cardActivity>): Promise<PostResult> {
    const parameters: ConversationParameters = {
      isGroup: true,
      bot: { id: conversation.botId, name: conversation.botName },
      channelData: { channel: { id: conversation.id }, tenant: { id: conversation.tenantId } },
      tenantId: conversation.tenantId,
      activity: activity as ConversationParameters['activity'],
      members: [],
    };
    let createdId: string | null = null;
    await this.adapter.createConversationAsync(
      this.botAppId, conversation.channelId, conversation.serviceUrl, BOT_FRAMEWORK_AUDIENCE, parameters,
      async (context) => {
        createdId = context.activity.conversation?.id ?? null;
      },
    );
    return { activityId: createdId === null ? null : threadRootId(createdId) };
  }

  private async sendToChat(conversation: Conversation, activity: ReturnType<typeof cardActivity>): Promise<PostResult> {
    const reference: Partial<ConversationReference> = {
      channelId: conversation.channelId,
      serviceUrl: conversation.serviceUrl,
      bot: { id: conversation.botId, name: conversation.botName },
      conversation: {
        id: conversation.id,
        isGroup: conversation.type !== 'personal',
        conversationType: conversation.type,
        tenantId: conversation.tenantId,
        name: '',
      },
    };
    let activityId: string | null = null;
    await this.adapter.continueConversationAsync(this.botAppId, reference, BOT_FRAMEWORK_AUDIENCE, async (context) => {
      // A new message in the chat (context.sendActivity would make it a reply to a made-up activity id).
      const client = context.turnState.get<ConnectorClient>(this.adapter.ConnectorClientKey);
      const response = await client.conversations.sendToConversation(conversation.id, {
        ...activity,
        from: reference.bot,
        conversation: reference.conversation,
      } as Activity);
      activityId = response.id ?? null;
    });
    return { activityId };
  }
}

/** Reads status, Teams error code and Retry-After from whatever the connector client threw. */
export function toSendError(err: unknown): TeamsSendError {
  if (err instanceof TeamsSendError) return err;
  const record = isObject(err) ? err : {};
  const response = isObject(record.response) ? record.response : {};
  const status = numberOr(record.statusCode, numberOr(response.status, null));
  const headerValue = readHeader(response.headers, 'retry-after');
  const code = stringOr(record.code, null) ?? errorCodeFromBody(response.bodyAsText) ?? errorCodeFromBody(record.body);
  const message = err instanceof Error ? err.message : 'request to Teams failed';
  return new TeamsSendError(message, status, code, parseRetryAfter(headerValue));
}

/** Retry-After as seconds or an HTTP date, in milliseconds. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (value === null || value.trim() === '') return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

function errorCodeFromBody(body: unknown): string | null {
  let parsed: unknown = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return null;
    }
  }
  if (!isObject(parsed) || !isObject(parsed.error)) return null;
  return stringOr(parsed.error.code, null);
}

function readHeader(headers: unknown, name: string): string | null {
  if (!isObject(headers)) return null;
  if (typeof headers.get === 'function') {
    const value: unknown = (headers.get as (n: string) => unknown).call(headers, name);
    return typeof value === 'string' ? value : null;
  }
  const value = headers[name];
  return typeof value === 'string' ? value : null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function numberOr<T>(value: unknown, fallback: T): number | T {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

function stringOr<T>(value: unknown, fallback: T): string | T {
  return typeof value === 'string' && value !== '' ? value : fallback;
}
