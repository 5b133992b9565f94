/** Shown when the app is installed: what the bot does and the first command to try. */
import { type AdaptiveCardJson, renderTemplate } from './render';
import template from './templates/welcome-card.json';
import { type CommandPlace, typedCommand } from './typed-command';

/** The welcome, with its commands written as they are typed in `place`. */
export function welcomeCard(place: CommandPlace): AdaptiveCardJson {
  return renderTemplate(template, {
    example: typedCommand('subscribe whatsapp vip', place),
    helpHint: `That posts every WhatsApp message from a VIP customer. Type ${typedCommand('help', place)} to see every command and filter.`,
  });
}
