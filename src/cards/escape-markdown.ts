/**
 * Makes user text display literally in an Adaptive Card TextBlock.
 *
 * Teams renders a Markdown subset in TextBlocks (bold, italic, lists, links) and replaces
 * `{{DATE(…)}}` / `{{TIME(…)}}` before Markdown runs. CommonMark shows a backslash-escaped ASCII
 * punctuation character as itself, so the characters that could start such syntax are escaped.
 * Line breaks become paragraph breaks because a single newline is joined into one line.
 */

/** Characters that are syntax wherever they stand: emphasis, links, code, strikethrough, tables, HTML/autolinks. */
const ALWAYS = /[\\*_[\]`~<>|]/g;
/** Character references such as `&amp;` or `&#42;` would be decoded. */
const ENTITY = /&(?=#?[a-z0-9]+;)/gi;
/** `{{` starts a DATE/TIME function: escape every brace of a run of two or more. */
const DOUBLE_BRACE = /\{(?=\{)|(?<=\{)\{/g;
/** Block syntax at the start of a line: headings, lists, thematic breaks, setext underlines, quotes. */
const LINE_START = /^([#+=-])/;
/** Ordered list items: `1.` or `1)` at the start of a line. */
const ORDERED_ITEM = /^(\d{1,9})([.)])/;

/** Escapes Markdown, DATE/TIME functions and entities in user text for a TextBlock. */
export function escapeMarkdown(text: string): string {
  return text.replace(/\r\n?/g, '\n').split('\n').map(escapeLine).join('\n\n');
}

function escapeLine(line: string): string {
  // Leading spaces would make a code block (where escapes are not processed) or be dropped:
  // keep the indentation as no-break spaces, which Markdown treats as text.
  const indent = /^[ \t]*/.exec(line)?.[0] ?? '';
  const rest = line
    .slice(indent.length)
    .replace(ALWAYS, '\\$&')
    .replace(ENTITY, '\\&')
    .replace(DOUBLE_BRACE, '\\{')
    .replace(LINE_START, '\\$1')
    .replace(ORDERED_ITEM, '$1\\$2');
  if (rest === '') return '';
  return indent.replace(/\t/g, '    ').replace(/ /g, '\u00a0') + rest;
}

/**
 * A Markdown link `[text](url)` whose destination cannot end early or carry text of its own:
 * parentheses, brackets, angle brackets, backslashes and whitespace in `url` are percent-encoded
 * (the same address to a browser). `text` is escaped as user text.
 */
export function markdownLink(text: string, url: string): string {
  const target = url.replace(/[()[\]<>\\\s]/g, (c) =>
    encodeURIComponent(c).replace(/[()]/g, (p) => `%${p.charCodeAt(0).toString(16).toUpperCase()}`),
  );
  return `[${escapeMarkdown(text)}](${target})`;
}
