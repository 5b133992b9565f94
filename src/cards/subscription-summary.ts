/** A subscription as bot replies show it, and rendering of cards that list several. */
import { escapeMarkdown } from './escape-markdown';
import { type AdaptiveCardJson, CardTooLargeError, renderTemplate } from './render';
import { truncateText } from './truncate-text';

export interface SubscriptionSummary {
  /** The number users type in `unsubscribe <n>`. */
  number: number;
  /** The normalized filter words without the command, e.g. `whatsapp vip` (see formatFilters). */
  command: string;
  /** describeFilters' sentence. */
  description: string;
}

const COMMAND_LIMIT = 300;
const DESCRIPTION_LIMIT = 600;

/** Card data for one subscription: user words escaped and bounded. */
export function summaryData(summary: SubscriptionSummary) {
  return {
    number: summary.number,
    command: escapeMarkdown(truncateText(`@klink subscribe ${summary.command.trim()}`, COMMAND_LIMIT).text),
    description: escapeMarkdown(truncateText(summary.description.trim(), DESCRIPTION_LIMIT).text),
    undo: `@klink unsubscribe ${summary.number}`,
  };
}

/**
 * Renders a card listing `items`, showing fewer (and saying how many are hidden) until it fits
 * MAX_CARD_BYTES. `data` gets the items to show and the number left out.
 */
export function renderListCard(
  template: object,
  items: SubscriptionSummary[],
  data: (shown: ReturnType<typeof summaryData>[], hidden: number) => object,
): AdaptiveCardJson {
  let shown = items.length;
  for (;;) {
    try {
      return renderTemplate(template, data(items.slice(0, shown).map(summaryData), items.length - shown));
    } catch (err) {
      if (!(err instanceof CardTooLargeError) || shown === 0) throw err;
      shown = Math.floor(shown / 2);
    }
  }
}
