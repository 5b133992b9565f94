/**
 * Checks a card with the real Adaptive Cards library (parse + validate, targeting schema 1.4) and
 * with the rules the library does not enforce (TEAMS-FACTS "Adaptive Cards in Teams").
 */
import assert from 'node:assert/strict';
import type * as AdaptiveCards from 'adaptivecards';
import { formatText } from 'adaptivecards/lib/text-formatters';

// The package's main entry does not load in Node; its UMD bundle does, without a DOM shim.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the bundle has no typings of its own
const AC = require('adaptivecards/dist/adaptivecards.js') as typeof AdaptiveCards;

export const MAX_CARD_BYTES = 28 * 1024;

type Node = { [key: string]: unknown };

/** Every problem found in `card`; empty when it is valid. */
export function cardProblems(card: unknown): string[] {
  const problems: string[] = [];
  if (!isNode(card)) return ['the card is not a JSON object'];
  const json = JSON.stringify(card);
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > MAX_CARD_BYTES) problems.push(`card is ${bytes} bytes, over ${MAX_CARD_BYTES}`);
  if (card.type !== 'AdaptiveCard') problems.push(`type is ${String(card.type)}`);
  if (card.version !== '1.4') problems.push(`version is ${String(card.version)}, not 1.4`);
  if (!isNode(card.msteams) || card.msteams.width !== 'Full') problems.push('msteams.width is not "Full"');
  problems.push(...libraryProblems(JSON.parse(json) as Node));
  walk(card, '$', problems);
  return problems;
}

/** Fails the test with every problem of `card`. */
export function assertValidCard(card: unknown): void {
  assert.deepEqual(cardProblems(card), [], `card is not valid:\n${JSON.stringify(card, null, 2)}`);
}

/** The library's parse events and validation events, for a 1.4 target (the default target is the latest schema). */
function libraryProblems(json: Node): string[] {
  const card = new AC.AdaptiveCard();
  const context = new AC.SerializationContext(AC.Versions.v1_4);
  card.parse(json, context);
  const events: AdaptiveCards.IValidationEvent[] = [];
  for (let i = 0; i < context.eventCount; i++) events.push(context.getEventAt(i));
  events.push(...card.validateProperties().validationEvents);
  // The library's events carry no severity; only hints are not errors.
  return events.filter((e) => e.event !== AC.ValidationEvent.Hint).map((e) => `adaptivecards ${AC.ValidationEvent[e.event]}: ${e.message}`);
}

/** Rules the library lets through: text present, https images and links, non-empty sets. */
function walk(value: unknown, path: string, problems: string[]): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => walk(item, `${path}[${i}]`, problems));
    return;
  }
  if (!isNode(value)) {
    if (typeof value === 'string' && value.includes('\u0000')) problems.push(`${path} contains a NUL character`);
    return;
  }
  switch (value.type) {
    case 'TextBlock':
      if (typeof value.text !== 'string' || value.text.trim() === '') problems.push(`${path}: TextBlock without text`);
      break;
    case 'Image':
      if (!isHttpsUrl(value.url)) problems.push(`${path}: Image url ${JSON.stringify(value.url)} is not https`);
      break;
    case 'Action.OpenUrl':
      if (!isHttpsUrl(value.url)) problems.push(`${path}: Action.OpenUrl url ${JSON.stringify(value.url)} is not https`);
      if (typeof value.title !== 'string' || value.title === '') problems.push(`${path}: Action.OpenUrl without title`);
      break;
    case 'FactSet':
      if (!Array.isArray(value.facts) || value.facts.length === 0) problems.push(`${path}: empty FactSet`);
      else if (!value.facts.every((f) => isNode(f) && nonEmpty(f.title) && nonEmpty(f.value)))
        problems.push(`${path}: a fact without title or value`);
      break;
    case 'ColumnSet':
      if (!Array.isArray(value.columns) || value.columns.length === 0) problems.push(`${path}: ColumnSet without columns`);
      break;
    case 'Container':
    case 'Column':
      if (!Array.isArray(value.items) || value.items.length === 0) problems.push(`${path}: ${value.type} without items`);
      break;
  }
  for (const [key, child] of Object.entries(value)) walk(child, `${path}.${key}`, problems);
}

/** How cards write a time: Teams shows it in the reader's locale and time zone. */
const CARD_TIME = /\{\{DATE\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z), SHORT\)\}\}, \{\{TIME\(\1\)\}\}/g;
/** A date and time written out, which every reader would see in one fixed zone. */
const FIXED_TIME = /\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}|\d{1,2}:\d{2}(?::\d{2})? ?(?:UTC|GMT|[AP]M)\b/;

/**
 * Times on the card that are not written the one way cards write them
 * (`{{DATE(<RFC 3339>, SHORT)}}, {{TIME(<same>)}}`), or that the real library's text
 * formatter (the one Teams' renderer shares) would leave unformatted.
 */
export function cardTimeProblems(card: unknown): string[] {
  const problems: string[] = [];
  for (const text of cardTexts(card)) {
    const formatted = formatText('en-US', text) ?? '';
    if (/\{\{(DATE|TIME)\(/.test(formatted)) problems.push(`a DATE/TIME function the renderer does not understand: ${text}`);
    const rest = text.replace(CARD_TIME, '');
    if (/\{\{(DATE|TIME)\(/.test(rest)) problems.push(`a time not written as {{DATE(t, SHORT)}}, {{TIME(t)}}: ${text}`);
    if (FIXED_TIME.test(rest)) problems.push(`a time written out in a fixed zone: ${text}`);
  }
  return problems;
}

/** All TextBlock texts and fact titles/values of a card, in order (for assertions on content). */
export function cardTexts(card: unknown): string[] {
  const texts: string[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (isNode(value)) {
      if (value.type === 'TextBlock' && typeof value.text === 'string') texts.push(value.text);
      if (typeof value.title === 'string' && typeof value.value === 'string') texts.push(value.title, value.value);
      Object.values(value).forEach(visit);
    }
  };
  visit(card);
  return texts;
}

/** Every element or action of the given type. */
export function elementsOfType(card: unknown, type: string): Node[] {
  const found: Node[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (isNode(value)) {
      if (value.type === type) found.push(value);
      Object.values(value).forEach(visit);
    }
  };
  visit(card);
  return found;
}

function isHttpsUrl(value: unknown): boolean {
  if (typeof value !== 'string' || !URL.canParse(value)) return false;
  return new URL(value).protocol === 'https:';
}

function nonEmpty(value: unknown): boolean {
  return typeof value === 'string' && value.trim() !== '';
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
