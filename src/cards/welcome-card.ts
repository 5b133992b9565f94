/** Shown when the app is installed: what the bot does and the first command to try. */
import { type AdaptiveCardJson, renderTemplate } from './render';
import template from './templates/welcome-card.json';

export function welcomeCard(): AdaptiveCardJson {
  return renderTemplate(template, {});
}
