/** The reply to `help`: every command and the whole filter grammar, with examples typed as they are typed here. */
import { type AdaptiveCardJson, renderTemplate } from './render';
import template from './templates/help-card.json';
import { type CommandPlace, typedCommand } from './typed-command';

const EXAMPLES: ReadonlyArray<{ command: string; what: string }> = [
  { command: 'subscribe whatsapp vip', what: 'WhatsApp messages from VIP contacts.' },
  { command: 'subscribe messenger "refund"', what: 'Messenger messages that mention "refund".' },
  { command: 'subscriptions', what: 'See what this conversation is subscribed to, with the numbers.' },
  { command: 'unsubscribe 2', what: 'Remove subscription number 2.' },
  { command: 'unsubscribe whatsapp vip', what: 'Remove the subscription with exactly these filters.' },
  { command: 'unsubscribe all', what: 'Remove every subscription here.' },
];

const INTRO_TAIL = 'Commands ignore upper and lower case, and a leading / is fine.';

export function helpCard(place: CommandPlace): AdaptiveCardJson {
  return renderTemplate(template, {
    intro:
      place === 'personal'
        ? `Here, just type the command. In a channel or group chat, mention me first (@klink …). ${INTRO_TAIL}`
        : `In a channel or group chat, mention me first (@klink …); in a personal chat with me, just type the command. ${INTRO_TAIL}`,
    examples: EXAMPLES.map((example) => ({ command: typedCommand(example.command, place), what: example.what })),
  });
}
