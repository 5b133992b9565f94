/**
 * The Teams conversation a tab page belongs to, from teams-js's context: the channel for a
 * channel tab, the chat for a group-chat tab; null where there is none (a personal tab).
 */

export interface ContextPlaces {
  channel?: { id?: string };
  chat?: { id?: string };
}

export type Place = { kind: 'channel' | 'groupChat'; id: string } | null;

export function tabConversation(context: ContextPlaces): Place {
  if (context.channel?.id) return { kind: 'channel', id: context.channel.id };
  if (context.chat?.id) return { kind: 'groupChat', id: context.chat.id };
  return null;
}
