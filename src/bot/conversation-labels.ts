/**
 * What an activity says about the conversation besides where it is: the channel's and team's
 * names (Teams sends them in channelData, the General channel without a name), a group chat's
 * name (`conversation.name`, when the chat has one), and for a personal chat the Entra object id
 * of the user the bot chats with, so the klink tab can find that user's personal conversation.
 * Unknown values are null: the store keeps what it knew.
 */
import type { Activity } from 'botbuilder';
import type { ConversationLabels, ConversationType } from '../store/store';

export function conversationLabels(activity: Partial<Activity>, type: ConversationType): ConversationLabels {
  const channelData = (activity.channelData ?? {}) as { channel?: { name?: unknown }; team?: { name?: unknown } };
  if (type === 'channel') return { name: text(channelData.channel?.name), teamName: text(channelData.team?.name) };
  if (type === 'groupChat') return { name: text(activity.conversation?.name) };
  const from = activity.from;
  const fromUser = from !== undefined && from.id !== activity.recipient?.id;
  return { userAadObjectId: fromUser ? text(from.aadObjectId) : null };
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}
