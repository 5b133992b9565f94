/**
 * A command as people must type it where they read it: Teams passes a channel or group chat
 * message to the bot only when it @mentions the bot, while a personal chat with the bot needs no
 * mention (TEAMS-FACTS "Conversations, threads, commands").
 */

/** The kinds of Teams conversation, as far as typing a command goes. */
export type CommandPlace = 'channel' | 'groupChat' | 'personal';

/** `@klink subscriptions` in a channel or group chat, `subscriptions` in a personal chat. */
export function typedCommand(command: string, place: CommandPlace): string {
  return place === 'personal' ? command : `@klink ${command}`;
}
