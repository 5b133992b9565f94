/** A subscription as bot replies show it, and rendering of cards that list several. */
import { escapeMarkdown } from './escape-markdown';
import { type AdaptiveCardJson, CardTooLargeError, renderTemplate } from './render';
import { truncateText } from './truncate-text';
import { type CommandPlace, typedCommand } from './typed-command';

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

/** Card data for one subscription: user words escaped and bounded, commands as typed in `place`. */
export function summaryData(summary: SubscriptionSummary, place: CommandPlace) {
  return {
    number: summary.number,
    command: escapeMarkdown(truncateText(typedCommand(`subscribe ${summary.command.trim()}`, place), COMMAND_LIMIT).text),
    description: escapeMarkdown(truncateText(summary.description.trim(), DESCRIPTION_LIMIT).text),
    undo: typedCommand(`unsubscribe ${summary.number}`, place),
    seeAll: typedCommand('subscriptions', place),
  };
}

/**
 * Renders a card listing `items`, showing fewer (and saying how many are hidden) until it fits
 * MAX_CARD_BYTES. `data` gets the items to show and the number left out.
 */
export function renderListCard(
  template: object,
  items: SubscriptionSummary[],
  place: CommandPlace,
  data: (shown: ReturnType<typeof summaryData>[], hidden: number) => object,
): AdaptiveCardJson {
  let shown = items.length;
  for (;;) {
    try {
      return renderTemplate(
        template,
        data(
          items.slice(0, shown).map((item) => summaryData(item, place)),
          items.length - shown,
        ),
      );
    } catch (err) {
      if (!(err instanceof CardTooLargeError) || shown === 0) throw err;
      shown = Math.floor(shown / 2);
    }
  }
}
