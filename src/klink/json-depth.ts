/**
 * Measures how deeply a JSON text nests, without recursion and without parsing it. A signed body
 * nested thousands of levels deep parses, but then overflows the stack in any recursive work on it
 * (storing it re-serialises it), which ended in a 500 that klink retries forever. Checking the raw
 * text first turns it into a 400 before any such work starts.
 */

/**
 * Deepest nesting a webhook may have. klink's events nest four levels (envelope → data → room →
 * channel); 64 leaves ample room for richer payloads while staying two orders of magnitude below
 * where recursive JSON handling in Node runs out of stack (several thousand levels).
 */
export const MAX_JSON_DEPTH = 64;

const OPEN_OBJECT = 0x7b; // {
const OPEN_ARRAY = 0x5b; // [
const CLOSE_OBJECT = 0x7d; // }
const CLOSE_ARRAY = 0x5d; // ]
const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \

/**
 * True when `raw` (UTF-8 JSON) opens more than `limit` objects/arrays inside each other. Brackets
 * inside strings do not count. Malformed JSON is left to the parser: this only counts.
 */
export function nestsDeeperThan(raw: Buffer, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < raw.length; i++) {
    const byte = raw[i];
    if (inString) {
      if (byte === BACKSLASH)
        i++; // the escaped character cannot end the string
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
      if (++depth > limit) return true;
    } else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) {
      depth--;
    }
  }
  return false;
}
