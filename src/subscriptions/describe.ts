/** Says in one plain-English sentence what a subscription will post (shown on confirmation cards). */
import { channelDisplayName } from '../cards/channel-names';
import type { Filters } from './filters';

/**
 * e.g. `Customer messages on WhatsApp from VIP contacts (tagged VIP or VVIP).`
 * The sentence is plain text: cards escape it like any other user-supplied text.
 */
export function describeFilters(filters: Filters, vipTags: string[]): string {
  const clauses = [
    keywordClause(filters.keywords),
    channelClause(filters.channels),
    roomClause(filters),
    contactClause(filters, vipTags),
  ].filter((clause) => clause !== '');
  if (clauses.length === 0) return `${EVERY[filters.direction]} from every channel.`;
  return `${SUBJECT[filters.direction]} ${clauses.join(' ')}.`;
}

const SUBJECT: Record<Filters['direction'], string> = {
  inbound: 'Customer messages',
  outbound: 'Agent and AI agent replies',
  both: 'Customer messages and agent replies',
};

const EVERY: Record<Filters['direction'], string> = {
  inbound: 'Every customer message',
  outbound: 'Every agent and AI agent reply',
  both: 'Every customer message and agent reply',
};

function keywordClause(keywords: string[]): string {
  return keywords.length === 0 ? '' : `containing ${anyOf(keywords.map(quote))}`;
}

function channelClause(channels: string[]): string {
  return channels.length === 0 ? '' : `on ${anyOf(channels.map(channelDisplayName))}`;
}

/** Room kind (group / one-to-one, AI / human), unread count and specific rooms. */
function roomClause(filters: Filters): string {
  const { group, ai, minUnread, rooms } = filters;
  const handled = ai === true ? 'handled by an AI agent' : ai === false ? 'handled by people' : '';
  if (rooms.length > 0) {
    const conditions = [
      group === true ? 'is a group chat' : group === false ? 'is a one-to-one chat' : '',
      handled === '' ? '' : `is ${handled}`,
      minUnread === undefined ? '' : `has at least ${unreadCount(minUnread)}`,
    ].filter((c) => c !== '');
    const room = `in room ${anyOf(rooms)}`;
    return conditions.length === 0 ? room : `${room} (while it ${allOf(conditions)})`;
  }
  if (group === undefined && ai === undefined && minUnread === undefined) return '';
  const noun = group === true ? 'group chats' : group === false ? 'one-to-one chats' : 'rooms';
  const unread = minUnread === undefined ? '' : `with at least ${unreadCount(minUnread)}`;
  return ['in', noun, handled, unread].filter((part) => part !== '').join(' ');
}

/** VIP, tags and specific contacts; all of them must hold. */
function contactClause(filters: Filters, vipTags: string[]): string {
  const tagged = filters.tags.length > 0 ? `tagged ${anyOf(filters.tags.map(quote))}` : '';
  const vip = `from VIP contacts (${vipTags.length > 0 ? `tagged ${anyOf(vipTags)}` : 'no VIP tags are configured'})`;
  const kind = filters.vip ? (tagged === '' ? vip : `${vip} who are also ${tagged}`) : tagged === '' ? '' : `from contacts ${tagged}`;
  if (filters.contacts.length === 0) return kind;
  const contact = `from contact ${anyOf(filters.contacts)}`;
  return kind === '' ? contact : `${kind}, and only ${contact}`;
}

function unreadCount(n: number): string {
  return n === 1 ? '1 unread message' : `${n} unread messages`;
}

function quote(value: string): string {
  return `"${value}"`;
}

/** "a", "a and b", "a, b and c". */
function allOf(values: string[]): string {
  return values.length <= 1 ? values.join('') : `${values.slice(0, -1).join(', ')} and ${values[values.length - 1]}`;
}

/** "a", "a or b", "a, b or c" — duplicates (e.g. livechat and webchat, both "Live chat") once. */
function anyOf(values: string[]): string {
  const unique = [...new Set(values)];
  if (unique.length <= 1) return unique.join('');
  return `${unique.slice(0, -1).join(', ')} or ${unique[unique.length - 1]}`;
}
