/** Shortens text for a card without splitting a character or an emoji. */

export interface Truncated {
  text: string;
  truncated: boolean;
}

const ELLIPSIS = '…';
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * At most `max` UTF-16 code units (ellipsis included), cut at a grapheme boundary. Only the head
 * of the text is examined, so a 1 MiB message costs no more than a short one.
 */
export function truncateText(text: string, max: number): Truncated {
  if (text.length <= max) return { text, truncated: false };
  if (max <= ELLIPSIS.length) return { text: ELLIPSIS.slice(0, Math.max(0, max)), truncated: true };
  const budget = max - ELLIPSIS.length;
  // A little look-ahead so that a grapheme continuing past the budget is seen as one.
  const head = text.slice(0, budget + 16);
  let end = 0;
  for (const { index, segment } of graphemes.segment(head)) {
    if (index + segment.length > budget) break;
    end = index + segment.length;
  }
  // One enormous grapheme (e.g. stacked combining marks): cut between code points instead.
  if (end === 0) end = /[\ud800-\udbff]/.test(text[budget - 1] ?? '') ? budget - 1 : budget;
  return { text: text.slice(0, end).trimEnd() + ELLIPSIS, truncated: true };
}
