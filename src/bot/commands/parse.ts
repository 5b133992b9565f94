/**
 * The command parser: a pure function from the text a user typed (mention already stripped)
 * to a command or a precise error. It never falls back to a default action. Errors write the
 * commands they suggest as they must be typed where the command came from.
 */
import { type CommandPlace, typedCommand } from '../../cards/typed-command';
import { type Filters, emptyFilters } from '../../subscriptions/filters';
import { CHANNEL_WORDS, COMMAND_WORDS, FILTER_VOCABULARY, suggest } from '../../subscriptions/vocabulary';

export type UnsubscribeTarget = { kind: 'all' } | { kind: 'numbers'; numbers: number[] } | { kind: 'filters'; filters: Filters };

export type Command =
  { kind: 'subscribe'; filters: Filters } | { kind: 'unsubscribe'; target: UnsubscribeTarget } | { kind: 'list' } | { kind: 'help' };

export interface CommandError {
  problem: string;
  suggestion?: string;
  usage: string;
}

export type ParseResult = { ok: true; command: Command } | { ok: false; error: CommandError };

/** The usage lines and hints of errors, with commands written as they are typed in `place`. */
export function usageFor(place: CommandPlace) {
  const typed = (command: string) => typedCommand(command, place);
  return {
    subscribe: `${typed('subscribe <filters…>')}, e.g. ${typed('subscribe whatsapp vip')}`,
    unsubscribe: `${typed('unsubscribe <number>|all')} or ${typed('unsubscribe <same filters>')}, e.g. ${typed('unsubscribe 2')} (numbers as shown by ${typed('subscriptions')})`,
    general: [typed('subscribe <filters…>'), typed('unsubscribe <number>|all'), typed('subscriptions'), typed('help')].join(' · '),
    typed,
  };
}

type Usage = ReturnType<typeof usageFor>;

/**
 * Parses one command. `text` may still carry `<at>…</at>` markup, a leading `/` and odd spacing;
 * `place` is the kind of conversation it was typed in.
 */
export function parseCommand(text: string, place: CommandPlace = 'personal'): ParseResult {
  const usage = usageFor(place);
  const tokens = tokenize(normalize(text), usage);
  if (!tokens.ok) return tokens;
  const words = tokens.words;
  if (words.length === 0) return { ok: true, command: { kind: 'help' } };

  const head = words[0].text.toLowerCase();
  const kind = words[0].quoted ? undefined : COMMAND_WORDS[head];
  const rest = words.slice(1);
  switch (kind) {
    case 'help':
      return { ok: true, command: { kind: 'help' } };
    case 'list':
      return rest.length === 0 ? { ok: true, command: { kind: 'list' } } : extra(rest[0].text, 'subscriptions', usage);
    case 'subscribe': {
      if (rest.length === 1 && !rest[0].quoted && rest[0].text.toLowerCase() === 'list') {
        return { ok: true, command: { kind: 'list' } };
      }
      if (rest.length === 0) {
        return error(
          'Say what to subscribe to.',
          usage.subscribe,
          `Try ${usage.typed('subscribe whatsapp vip')}, or ${usage.typed('subscribe all')} for every customer message.`,
        );
      }
      const filters = parseFilters(rest, usage);
      return filters.ok ? { ok: true, command: { kind: 'subscribe', filters: filters.filters } } : filters;
    }
    case 'unsubscribe':
      return parseUnsubscribe(rest, usage);
    default: {
      const guess = suggest(head, Object.keys(COMMAND_WORDS));
      return error(`I don't know the command "${words[0].text}".`, usage.general, guess ? `Did you mean "${guess}"?` : undefined);
    }
  }
}

function parseUnsubscribe(rest: Word[], usage: Usage): ParseResult {
  if (rest.length === 0) return error('Say which subscription to remove.', usage.unsubscribe);
  if (rest.length === 1 && !rest[0].quoted && rest[0].text.toLowerCase() === 'all') {
    return { ok: true, command: { kind: 'unsubscribe', target: { kind: 'all' } } };
  }
  const numbers = rest.flatMap((w) =>
    w.quoted
      ? [NaN]
      : w.text
          .split(',')
          .filter((p) => p !== '')
          .map((p) => Number(p.replace(/^#/, ''))),
  );
  if (numbers.every((n) => Number.isInteger(n) && n > 0)) {
    return { ok: true, command: { kind: 'unsubscribe', target: { kind: 'numbers', numbers: [...new Set(numbers)] } } };
  }
  if (/^#?\d/.test(rest[0].text)) {
    return error(`"${rest.map((w) => w.text).join(' ')}" is not a list of subscription numbers.`, usage.unsubscribe);
  }
  const filters = parseFilters(rest, usage);
  return filters.ok ? { ok: true, command: { kind: 'unsubscribe', target: { kind: 'filters', filters: filters.filters } } } : filters;
}

type FiltersResult = { ok: true; filters: Filters } | { ok: false; error: CommandError };

/**
 * Filter words on their own (what follows `subscribe`), as the tab sends them: the filters, or
 * every problem found (each word is also checked alone, so one bad word does not hide the next).
 */
export function parseFilterText(
  text: string,
  place: CommandPlace = 'channel',
): { ok: true; filters: Filters } | { ok: false; problems: CommandError[] } {
  const usage = usageFor(place);
  const tokens = tokenize(normalize(text), usage);
  if (!tokens.ok) return { ok: false, problems: [tokens.error] };
  if (tokens.words.length === 0) {
    return { ok: false, problems: [{ problem: 'Say what to subscribe to.', usage: usage.subscribe }] };
  }
  const whole = parseFilters(tokens.words, usage);
  if (whole.ok) return whole;
  const problems: CommandError[] = [];
  for (const word of tokens.words) {
    const alone = parseFilters([word], usage);
    if (!alone.ok && !problems.some((p) => p.problem === alone.error.problem)) problems.push(alone.error);
  }
  if (!problems.some((p) => p.problem === whole.error.problem)) problems.push(whole.error);
  return { ok: false, problems };
}

/** Parses filter words; several words of one kind mean any of them. */
export function parseFilters(words: Word[], usage: Usage = usageFor('personal')): FiltersResult {
  const f = emptyFilters();
  const directions = new Set<string>();
  const groups = new Set<boolean>();
  const ais = new Set<boolean>();
  let all = false;
  for (const word of words) {
    if (word.quoted) {
      if (word.text.trim() === '') return error('An empty phrase ("") matches nothing.', usage.subscribe);
      f.keywords.push(word.text.trim());
      continue;
    }
    const lower = word.text.toLowerCase();
    const [prefix, value] = splitPrefix(word.text);
    if (CHANNEL_WORDS[lower]) f.channels.push(CHANNEL_WORDS[lower]);
    else if (lower === 'vip') f.vip = true;
    else if (lower === 'all') all = true;
    else if (lower === 'inbound' || lower === 'outbound' || lower === 'both') directions.add(lower);
    else if (lower === 'group' || lower === 'direct') groups.add(lower === 'group');
    else if (lower === 'ai' || lower === 'human') ais.add(lower === 'ai');
    else if (prefix !== null) {
      const problem = addPrefixed(f, prefix, value);
      if (problem) return error(problem, usage.subscribe);
    } else {
      const guess = suggest(lower, FILTER_VOCABULARY);
      const completed = guess && /[:>=]$/.test(guess) ? guess + lower.replace(/^[a-z]+(:|>=?|=)/, '') : guess;
      return error(
        `I don't know the word "${word.text}".`,
        usage.subscribe,
        completed ? `Did you mean "${completed}"?` : `Type ${usage.typed('help')} for the words I know.`,
      );
    }
  }
  if (all && words.length > 1) return error('"all" cannot be combined with other filters.', usage.subscribe);
  f.direction =
    directions.has('both') || (directions.has('inbound') && directions.has('outbound'))
      ? 'both'
      : directions.has('outbound')
        ? 'outbound'
        : 'inbound';
  if (groups.size === 1) f.group = [...groups][0];
  if (ais.size === 1) f.ai = [...ais][0];
  return { ok: true, filters: f };
}

function addPrefixed(f: Filters, prefix: string, value: string): string | null {
  if (prefix === 'unread>=') {
    const n = Number(value);
    if (value === '' || !Number.isInteger(n) || n < 0 || n > 100000) return `"unread>=${value}" needs a whole number, e.g. unread>=3.`;
    f.minUnread = f.minUnread === undefined ? n : Math.min(f.minUnread, n);
    return null;
  }
  if (value.trim() === '') return `"${prefix}" needs a value, e.g. ${prefix === 'tag:' ? 'tag:gold' : `${prefix}…`}.`;
  switch (prefix) {
    case 'channel:':
      f.channels.push(value.toLowerCase());
      return null;
    case 'tag:':
      f.tags.push(value);
      return null;
    case 'keyword:':
      f.keywords.push(value);
      return null;
    case 'room:':
      f.rooms.push(value);
      return null;
    case 'contact:':
      f.contacts.push(value);
      return null;
    default:
      return `I don't know "${prefix}".`;
  }
}

function splitPrefix(text: string): [string | null, string] {
  const match = text.match(/^(channel:|tag:|keyword:|room:|contact:|unread>=)(.*)$/i);
  return match ? [match[1].toLowerCase(), match[2]] : [null, ''];
}

export interface Word {
  text: string;
  /** Written in quotes: a phrase, never a keyword of the grammar. */
  quoted: boolean;
}

/** Splits on white space; "…" (straight or curly quotes) keep a phrase together, also after `tag:`. */
function tokenize(text: string, usage: Usage): { ok: true; words: Word[] } | { ok: false; error: CommandError } {
  const words: Word[] = [];
  const pattern = /([a-z]+:|unread>=)?["“”]([^"“”]*)["“”]|(\S+)/gi;
  for (const match of text.matchAll(pattern)) {
    if (match[3] !== undefined) {
      if (/["“”]/.test(match[3])) return error('A quote is not closed: write phrases as "like this".', usage.subscribe);
      words.push({ text: match[3], quoted: false });
    } else if (match[1] !== undefined) {
      words.push({ text: match[1] + match[2], quoted: false });
    } else {
      words.push({ text: match[2], quoted: true });
    }
  }
  return { ok: true, words };
}

/** Removes mention markup, HTML entities Teams adds, a leading `/` and extra spaces. */
function normalize(text: string): string {
  return text
    .replace(/<at>[^<]*<\/at>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;|\u00a0/gi, ' ')
    .replace(/&quot;/gi, '"')
    .replace(/&amp;/gi, '&')
    .trim()
    .replace(/^\/\s*/, '')
    .replace(/\s+/g, ' ');
}

function extra(word: string, command: string, usage: Usage): ParseResult {
  return error(`"${command}" takes no further words (got "${word}").`, usage.general);
}

function error(problem: string, usage: string, suggestion?: string): { ok: false; error: CommandError } {
  return { ok: false, error: suggestion ? { problem, suggestion, usage } : { problem, usage } };
}
