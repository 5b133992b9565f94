/**
 * The filter builder's state and the `@klink subscribe` filter words it stands for, written the
 * way README's filter table spells them (`tag:"two words"`, `"a phrase"`), plus what the builder
 * itself can tell is wrong before asking the server. Framework-free, so mocha tests it directly.
 */

export type Direction = 'inbound' | 'outbound' | 'both';
export type RoomKind = 'either' | 'group' | 'direct';
export type HandledBy = 'either' | 'ai' | 'human';

export interface BuilderState {
  /** Everything (`all`): the other choices are then ignored. */
  everything: boolean;
  /** Channel-type words from the vocabulary (`whatsapp`, `email`, …). */
  channels: string[];
  vip: boolean;
  tags: string[];
  keywords: string[];
  direction: Direction;
  rooms: RoomKind;
  handledBy: HandledBy;
  /** As typed; empty means no unread condition. */
  minUnread: string;
  roomIds: string[];
  contactIds: string[];
}

export function emptyBuilder(): BuilderState {
  return {
    everything: false,
    channels: [],
    vip: false,
    tags: [],
    keywords: [],
    direction: 'inbound',
    rooms: 'either',
    handledBy: 'either',
    minUnread: '',
    roomIds: [],
    contactIds: [],
  };
}

const QUOTES = /["“”]/;

/** The filter words, in the order the bot writes them; empty when nothing is chosen. */
export function filterWords(state: BuilderState): string {
  if (state.everything) return 'all';
  const words: string[] = [];
  for (const channel of state.channels) words.push(channel);
  if (state.vip) words.push('vip');
  for (const tag of clean(state.tags)) words.push(`tag:${quoteIfSpaced(tag)}`);
  for (const keyword of clean(state.keywords)) words.push(`"${keyword}"`);
  if (state.direction !== 'inbound') words.push(state.direction);
  if (state.rooms !== 'either') words.push(state.rooms);
  if (state.handledBy !== 'either') words.push(state.handledBy);
  if (state.minUnread.trim() !== '') words.push(`unread>=${state.minUnread.trim()}`);
  for (const room of clean(state.roomIds)) words.push(`room:${quoteIfSpaced(room)}`);
  for (const contact of clean(state.contactIds)) words.push(`contact:${quoteIfSpaced(contact)}`);
  return words.join(' ');
}

/** Problems the builder sees on its own (the server explains the rest); choosing nothing is not one. */
export function builderProblems(state: BuilderState): string[] {
  if (state.everything) return [];
  const problems: string[] = [];
  const lists: [string, string[]][] = [
    ['A tag', state.tags],
    ['A keyword', state.keywords],
    ['A room id', state.roomIds],
    ['A contact id', state.contactIds],
  ];
  for (const [what, values] of lists) {
    const bad = clean(values).find((v) => QUOTES.test(v));
    if (bad !== undefined) problems.push(`${what} cannot contain quotation marks: remove them from ${bad}.`);
  }
  const unread = state.minUnread.trim();
  if (unread !== '' && !/^\d+$/.test(unread)) {
    problems.push(`"Unread at least" needs a whole number, e.g. 3 (got "${unread}").`);
  }
  return problems;
}

function clean(values: string[]): string[] {
  return values.map((v) => v.trim()).filter((v) => v !== '');
}

function quoteIfSpaced(value: string): string {
  return /\s/.test(value) ? `"${value}"` : value;
}
