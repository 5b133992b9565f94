/**
 * Card text made of literal pieces and times: each piece is escaped and bounded (it may quote
 * users), each time is written with cardTime so readers see it in their own time zone. Escaping
 * a finished sentence instead would break the time's `{{DATE()}}` function.
 */
import { cardTime } from './card-time';
import { escapeMarkdown } from './escape-markdown';
import { truncateText } from './truncate-text';

export type CardTextPart = string | { time: number };
export type CardText = readonly CardTextPart[];

/** Markdown for a TextBlock; each literal piece is cut to `limit` characters. */
export function renderCardText(text: CardText, limit: number): string {
  return text
    .map((part) => (typeof part === 'string' ? literal(truncateText(part, limit).text) : cardTime(part.time, new Date(part.time))))
    .join('');
}

/** Escaped, keeping the spaces that join it to the piece before (escapeMarkdown would indent with them). */
function literal(piece: string): string {
  const lead = /^ */.exec(piece)?.[0] ?? '';
  return lead + escapeMarkdown(piece.slice(lead.length));
}
