/**
 * Expands an Adaptive Card JSON template with data (adaptivecards-templating) and guards the
 * result: every bound field must exist, and the card must fit the size Teams accepts.
 */
import { GlobalSettings, Template } from 'adaptivecards-templating';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** An Adaptive Card as JSON, ready to be sent as an attachment. */
export interface AdaptiveCardJson {
  type: 'AdaptiveCard';
  version: string;
  body: JsonObject[];
  actions?: JsonObject[];
  msteams?: JsonObject;
  $schema?: string;
  [key: string]: JsonValue | undefined;
}

/** Workflows/Graph posts stop at ~28 KB (TEAMS-FACTS "Adaptive Cards in Teams"); stay under it everywhere. */
export const MAX_CARD_BYTES = 28 * 1024;

/** The card is larger than MAX_CARD_BYTES once serialized. */
export class CardTooLargeError extends Error {
  constructor(readonly bytes: number) {
    super(`The card is ${bytes} bytes serialized; the limit is ${MAX_CARD_BYTES}.`);
    this.name = 'CardTooLargeError';
  }
}

/** The template and its data do not fit together (a programming error, never user input). */
export class CardTemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CardTemplateError';
  }
}

/**
 * One Template per template file: a Template keeps the expressions it parsed, and parsing them
 * again for every card costs ~0.7 ms and ~60 KB of garbage per card.
 */
const templates = new WeakMap<object, Template>();

function templateFor(template: object): Template {
  let compiled = templates.get(template);
  if (!compiled) templates.set(template, (compiled = new Template(template)));
  return compiled;
}

/** Size of the card as UTF-8 JSON, the way it goes over the wire. */
export function cardByteLength(card: AdaptiveCardJson): number {
  return Buffer.byteLength(JSON.stringify(card), 'utf8');
}

/**
 * Expands `template` with `data` as `$root`; throws CardTemplateError when a bound field is
 * missing and CardTooLargeError when the card exceeds MAX_CARD_BYTES.
 *
 * Data values are inserted once and never evaluated again, so `${…}` inside customer text stays
 * literal. Markdown in data is NOT escaped here: escape user text with escapeMarkdown first.
 */
export function renderTemplate(template: object, data: object): AdaptiveCardJson {
  checkData(data, '$root');
  const missing: string[] = [];
  // The library substitutes an unknown field with its own expression text ("${field}"), which
  // would put template syntax in front of users; record such fields instead. expand() is
  // synchronous, so swapping the global callback for its duration is safe.
  const previous = GlobalSettings.getUndefinedFieldValueSubstitutionString;
  GlobalSettings.getUndefinedFieldValueSubstitutionString = (path: string) => {
    missing.push(path);
    return '';
  };
  let expanded: unknown;
  try {
    expanded = templateFor(template).expand({ $root: data });
  } finally {
    GlobalSettings.getUndefinedFieldValueSubstitutionString = previous;
  }
  if (missing.length > 0) {
    throw new CardTemplateError(`The card data lacks ${[...new Set(missing)].join(', ')}.`);
  }
  const card = asAdaptiveCard(expanded);
  const bytes = cardByteLength(card);
  if (bytes > MAX_CARD_BYTES) throw new CardTooLargeError(bytes);
  return card;
}

/**
 * null in data crashes the library inside interpolated strings ("a ${x}") and yields a null
 * property elsewhere; undefined leaks template text. Only plain JSON without null is accepted.
 */
function checkData(value: unknown, path: string): void {
  if (typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new CardTemplateError(`The card data at ${path} is not a finite number.`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, index) => checkData(item, `${path}[${index}]`));
    return;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) checkData(item, `${path}.${key}`);
    return;
  }
  throw new CardTemplateError(
    `The card data at ${path} is ${value === null ? 'null' : typeof value}; use a string, number, boolean, array or object.`,
  );
}

function asAdaptiveCard(value: unknown): AdaptiveCardJson {
  if (!isJsonObject(value) || value.type !== 'AdaptiveCard' || typeof value.version !== 'string') {
    throw new CardTemplateError('The template did not expand to an AdaptiveCard with a version.');
  }
  const { body, actions, msteams } = value;
  if (!Array.isArray(body) || !body.every(isJsonObject)) {
    throw new CardTemplateError('The expanded card has no body array of elements.');
  }
  if (actions !== undefined && (!Array.isArray(actions) || !actions.every(isJsonObject))) {
    throw new CardTemplateError('The expanded card has an actions value that is not an array of actions.');
  }
  if (msteams !== undefined && !isJsonObject(msteams)) {
    throw new CardTemplateError('The expanded card has an msteams value that is not an object.');
  }
  const card: AdaptiveCardJson = { ...value, type: 'AdaptiveCard', version: value.version, body };
  if (actions !== undefined) card.actions = actions;
  if (msteams !== undefined) card.msteams = msteams;
  return card;
}

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
