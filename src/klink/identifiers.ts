/**
 * Checks the identifiers of a klink event before it is stored. Ids end up in room links, thread
 * keys, log fields and card data; one that cannot be URL-encoded (a lone surrogate), carries
 * control characters, is a path dot segment or is absurdly long is no klink id, and once stored it
 * would sit in every digest of its channel. So such events are refused at intake, listed.
 */

/** klink ids are UUIDs (36 characters); 200 leaves room for other formats and nothing more. */
export const MAX_ID_LENGTH = 200;

/** A UTF-16 surrogate without its partner: not text, and encodeURIComponent throws on it. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** `.` and `..` address another page when put into a URL path as a segment. */
const DOT_SEGMENT = /^\.{1,2}$/;

/** What is wrong with one identifier's value, or null when it is usable (absent counts as usable). */
export function identifierProblem(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  if (LONE_SURROGATE.test(value)) return 'contains an unpaired UTF-16 surrogate';
  if (hasControlCharacter(value)) return 'contains control characters';
  if (value.length > MAX_ID_LENGTH) return `is longer than ${MAX_ID_LENGTH} characters`;
  if (DOT_SEGMENT.test(value.trim())) return 'must not be "." or ".."';
  return null;
}

/** Problems with the ids an event's `data` carries (`data.id`, and for messages `roomId`, `contactId`). */
export function identifierProblems(data: Record<string, unknown>, kind: 'message' | 'contact'): string[] {
  const fields: Array<[string, unknown]> = [['data.id', data.id]];
  if (kind === 'message') {
    fields.push(['data.roomId', data.roomId], ['data.contactId', data.contactId]);
    const channel = field(field(data, 'room'), 'channel');
    if (channel !== undefined) fields.push(['data.room.channel.type', field(channel, 'type')]);
  }
  return fields.flatMap(([name, value]) => {
    const problem = identifierProblem(value);
    return problem === null ? [] : [`"${name}" ${problem}`];
  });
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>)[key] : undefined;
}

/** C0 and C1 control characters and DEL (checked by code: a regex of them reads as a mistake). */
function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code <= 0x1f || (code >= 0x7f && code <= 0x9f)) return true;
  }
  return false;
}
