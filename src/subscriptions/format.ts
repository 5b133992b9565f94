/** Writes filters back as the command words that produce them (shown on cards, used to undo). */
import { type Filters, canonicalFilters } from './filters';
import { CHANNEL_WORDS } from './vocabulary';

export function formatFilters(filters: Filters): string {
  const f = canonicalFilters(filters);
  const words: string[] = [];
  for (const channel of f.channels) words.push(CHANNEL_WORDS[channel] === channel ? channel : `channel:${quoteIfNeeded(channel)}`);
  if (f.vip) words.push('vip');
  for (const tag of f.tags) words.push(`tag:${quoteIfNeeded(tag)}`);
  for (const keyword of f.keywords) words.push(`"${keyword.replace(/["“”]/g, '')}"`);
  if (f.direction !== 'inbound') words.push(f.direction);
  if (f.group !== undefined) words.push(f.group ? 'group' : 'direct');
  if (f.ai !== undefined) words.push(f.ai ? 'ai' : 'human');
  if (f.minUnread !== undefined) words.push(`unread>=${f.minUnread}`);
  for (const room of f.rooms) words.push(`room:${quoteIfNeeded(room)}`);
  for (const contact of f.contacts) words.push(`contact:${quoteIfNeeded(contact)}`);
  return words.length === 0 ? 'all' : words.join(' ');
}

function quoteIfNeeded(value: string): string {
  return /\s/.test(value) ? `"${value.replace(/["“”]/g, '')}"` : value;
}
