/**
 * The Teams bot: records every conversation it is installed in or spoken to in, forgets it on
 * uninstall, and answers commands with cards.
 */
import {
  type Activity,
  type AdaptiveCardInvokeResponse,
  type AdaptiveCardInvokeValue,
  CardFactory,
  TurnContext,
  TeamsActivityHandler,
} from 'botbuilder';
import type { TenantPolicy } from '../auth/tenant-policy';
import { commandErrorCard } from '../cards/command-error-card';
import { consentRequiredCard } from '../cards/consent-required-card';
import { welcomeCard } from '../cards/welcome-card';
import type { Logger } from '../log';
import type { ConversationType, Store } from '../store/store';
import { baseConversationId } from '../teams/activities';
import type { CardSettings } from '../delivery/delivery-card';
import { handleCardAction } from './card-actions';
import { conversationLabels } from './conversation-labels';
import { updatePostedCard } from './card-update';
import { type ReplyDeps, handleReply } from './reply-action';
import { handleCommand } from './commands/handle-command';
import { parseCommand } from './commands/parse';

export interface BotDeps {
  store: Store;
  tenants: TenantPolicy;
  log: Logger;
  vipTags: readonly string[];
  settings: CardSettings;
  now: () => number;
  /** Replying to klink customers from cards (verb `reply`). */
  replies: Omit<ReplyDeps, 'store' | 'settings' | 'now' | 'log'>;
}

export class KlinkBot extends TeamsActivityHandler {
  constructor(private readonly deps: BotDeps) {
    super();

    // The tenant gate comes first: in a tenant the bot may not act in it stores nothing.
    this.onTurn(async (context, next) => {
      if (await this.deps.tenants.allows(tenantOf(context.activity))) {
        await next();
        return;
      }
      await this.refuse(context);
    });

    this.onMessage(async (context, next) => {
      const conversation = await this.record(context);
      if (conversation !== null) await this.answerCommand(context, conversation);
      await next();
    });

    this.onInstallationUpdateAdd(async (context, next) => {
      const conversation = await this.record(context);
      if (conversation !== null) await reply(context, welcomeCard(conversation.type), 'klink is installed');
      await next();
    });

    this.onInstallationUpdateRemove(async (context, next) => {
      await this.forget(context, 'app uninstalled');
      await next();
    });

    this.onMembersAdded(async (context, next) => {
      if (botIsAmong(context, context.activity.membersAdded)) await this.record(context);
      await next();
    });

    // Names shown in the klink tab follow renames (only of channels and teams the bot knows).
    this.onTeamsChannelRenamedEvent(async (channel, _team, _context, next) => {
      if (channel.id && channel.name) await this.deps.store.conversations.renameConversation(channel.id, channel.name);
      await next();
    });

    this.onTeamsTeamRenamedEvent(async (team, _context, next) => {
      if (team.id && team.name) await this.deps.store.conversations.renameTeam(team.id, team.name);
      await next();
    });

    this.onMembersRemoved(async (context, next) => {
      if (botIsAmong(context, context.activity.membersRemoved)) await this.forget(context, 'bot removed from the conversation');
      await next();
    });
  }

  /** Explains to a user of a tenant without consent how to get it; records nothing. */
  private async refuse(context: TurnContext): Promise<void> {
    const { activity } = context;
    const tenantId = tenantOf(activity);
    const card = consentRequiredCard({ consentUrl: this.deps.tenants.consentUrl(tenantId, activity.from?.name ?? null) });
    this.deps.log.info({ tenantId, activityType: activity.type }, 'activity from a tenant without consent; nothing stored');
    if (activity.type === 'invoke') {
      await context.sendActivity({
        type: 'invokeResponse',
        value: { status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card } },
      });
      return;
    }
    const added = activity.type === 'installationUpdate' ? activity.action === 'add' : botIsAmong(context, activity.membersAdded);
    if (activity.type === 'message' || added) await reply(context, card, 'klink needs admin consent');
  }

  /** A button on a message card (Action.Execute): the answer replaces the card in place. */
  protected override async onAdaptiveCardInvoke(context: TurnContext, value: AdaptiveCardInvokeValue): Promise<AdaptiveCardInvokeResponse> {
    const conversation = await this.record(context);
    const verb = value.action?.verb ?? '';
    if (conversation === null) return invokeError(400, 'This conversation cannot be identified.');
    const conversationId = conversation.id;
    const from = context.activity.from;
    if (verb === 'reply') return this.reply(context, value.action?.data, conversationId);
    const result = await handleCardAction(
      verb,
      value.action?.data,
      {
        conversationId,
        conversationType: conversation.type,
        userId: from?.aadObjectId ?? from?.id ?? null,
        userName: from?.name ?? null,
      },
      { store: this.deps.store, settings: this.deps.settings, now: this.deps.now },
    );
    this.deps.log.info({ conversationId, verb, ok: result.ok }, 'card action handled');
    if (!result.ok) return invokeError(result.status, result.message);
    return { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: result.card };
  }

  /** Send under a card's Reply: the customer is answered through klink, the card shows it (reply-action.ts). */
  private async reply(context: TurnContext, data: unknown, conversationId: string): Promise<AdaptiveCardInvokeResponse> {
    const { deps } = this;
    const conversation = await deps.store.conversations.getConversation(conversationId);
    if (conversation === null) return invokeError(400, 'This conversation cannot be identified.');
    const from = context.activity.from;
    const answer = await handleReply(
      data,
      conversation,
      { userId: from?.aadObjectId ?? from?.id ?? null, aadObjectId: from?.aadObjectId ?? null, userName: from?.name ?? null },
      { ...deps.replies, store: deps.store, settings: deps.settings, now: deps.now, log: deps.log },
    );
    if (!answer.ok) {
      deps.log.info({ conversationId, verb: 'reply', status: answer.status }, 'card action refused');
      return invokeError(answer.status, answer.message);
    }
    // Everyone sees the reply: the posted card is replaced too (a Teams request, within the budget).
    if (answer.update !== null) await updatePostedCard(context, answer.update, conversation, deps);
    return { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: answer.card };
  }

  private async answerCommand(context: TurnContext, conversation: { id: string; type: ConversationType }): Promise<void> {
    const conversationId = conversation.id;
    if (!context.activity.text && context.activity.value !== undefined) return; // a card button, not a command
    const text = TurnContext.removeRecipientMention(context.activity) ?? '';
    const parsed = parseCommand(text, conversation.type);
    const log = this.deps.log.child({ conversationId, activityId: context.activity.id });
    if (!parsed.ok) {
      log.info({ command: 'invalid' }, 'command rejected');
      await reply(context, commandErrorCard(parsed.error, conversation.type), 'That command was not understood');
      return;
    }
    const userId = context.activity.from?.aadObjectId ?? context.activity.from?.id ?? null;
    const card = await handleCommand(parsed.command, { conversationId, place: conversation.type, userId }, this.deps);
    log.info({ command: parsed.command.kind }, 'command handled');
    await reply(context, card, `klink: ${parsed.command.kind}`);
  }

  /** Stores the conversation with what proactive posts need later; null if it cannot be identified. */
  private async record(context: TurnContext): Promise<{ id: string; type: ConversationType } | null> {
    const conversation = describeConversation(context.activity);
    if (conversation === null) {
      this.deps.log.warn({ activityType: context.activity.type }, 'activity without conversation or tenant; not recorded');
      return null;
    }
    const labels = conversationLabels(context.activity, conversation.type);
    await this.deps.store.conversations.upsertConversation({ ...conversation, ...labels }, this.deps.now());
    return { id: conversation.id, type: conversation.type };
  }

  /** Removed from a team: every channel of it is forgotten; from a chat: that chat. */
  private async forget(context: TurnContext, reason: string): Promise<void> {
    const conversation = describeConversation(context.activity);
    if (conversation === null) return;
    const now = this.deps.now();
    await this.deps.store.conversations.deactivateConversation(conversation.id, reason, now);
    const channels =
      conversation.teamId === null ? 0 : await this.deps.store.conversations.deactivateTeam(conversation.teamId, reason, now);
    this.deps.log.info({ conversationId: conversation.id, teamId: conversation.teamId, channels, reason }, 'conversation forgotten');
  }
}

function tenantOf(activity: Partial<Activity>): string | null {
  const channelData = (activity.channelData ?? {}) as { tenant?: { id?: string } };
  return activity.conversation?.tenantId ?? channelData.tenant?.id ?? null;
}

/** Where the activity happened, keyed by channel for channel posts and thread replies. */
export function describeConversation(activity: Partial<Activity>) {
  const conv = activity.conversation;
  const channelData = (activity.channelData ?? {}) as {
    channel?: { id?: string };
    team?: { id?: string };
    tenant?: { id?: string };
  };
  const tenantId = conv?.tenantId ?? channelData.tenant?.id;
  if (!conv?.id || !tenantId || !activity.serviceUrl || !activity.recipient?.id) return null;
  const type: ConversationType =
    conv.conversationType === 'channel' || channelData.channel?.id
      ? 'channel'
      : conv.conversationType === 'groupChat' || conv.isGroup
        ? 'groupChat'
        : 'personal';
  return {
    id: type === 'channel' ? (channelData.channel?.id ?? baseConversationId(conv.id)) : conv.id,
    type,
    tenantId,
    serviceUrl: activity.serviceUrl,
    channelId: activity.channelId ?? 'msteams',
    teamId: channelData.team?.id ?? null,
    botId: activity.recipient.id,
    botName: activity.recipient.name ?? 'klink',
  };
}

function botIsAmong(context: TurnContext, members: Activity['membersAdded'] | undefined): boolean {
  return (members ?? []).some((m) => m.id === context.activity.recipient?.id);
}

function invokeError(statusCode: number, message: string): AdaptiveCardInvokeResponse {
  return { statusCode, type: 'application/vnd.microsoft.error', value: { code: statusCode === 403 ? 'Forbidden' : 'BadRequest', message } };
}

async function reply(context: TurnContext, card: ReturnType<typeof welcomeCard>, summary: string): Promise<void> {
  await context.sendActivity({ type: 'message', summary, attachments: [CardFactory.adaptiveCard(card)] });
}
