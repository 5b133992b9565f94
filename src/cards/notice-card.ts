/** A short confirmation or explanation card (e.g. after a card button, when the original card cannot be rebuilt). */
import { escapeMarkdown } from './escape-markdown';
import { type AdaptiveCardJson, renderTemplate } from './render';
import template from './templates/notice-card.json';

export function noticeCard(input: { title: string; text: string }): AdaptiveCardJson {
  return renderTemplate(template, { title: escapeMarkdown(input.title), text: escapeMarkdown(input.text) });
}
