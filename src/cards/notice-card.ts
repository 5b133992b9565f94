/** A short confirmation or explanation card (e.g. after a card button, when the original card cannot be rebuilt). */
import { type CardText, renderCardText } from './card-text';
import { escapeMarkdown } from './escape-markdown';
import { type AdaptiveCardJson, renderTemplate } from './render';
import template from './templates/notice-card.json';

/** The notice's literal pieces are bounded like user text. */
const PIECE_LIMIT = 500;

export function noticeCard(input: { title: string; text: CardText }): AdaptiveCardJson {
  return renderTemplate(template, { title: escapeMarkdown(input.title), text: renderCardText(input.text, PIECE_LIMIT) });
}
