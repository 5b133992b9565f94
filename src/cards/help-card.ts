/** The reply to `help`: every command and the whole filter grammar, with examples. */
import { type AdaptiveCardJson, renderTemplate } from './render';
import template from './templates/help-card.json';

export function helpCard(): AdaptiveCardJson {
  return renderTemplate(template, {});
}
