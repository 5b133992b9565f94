/** The reply to `subscriptions`: this conversation's subscriptions, or how to add one. */
import { escapeMarkdown } from './escape-markdown';
import type { AdaptiveCardJson } from './render';
import { type SubscriptionSummary, renderListCard } from './subscription-summary';
import template from './templates/subscriptions-card.json';
import { type CommandPlace, typedCommand } from './typed-command';

export interface DeadLetterSummary {
  count: number;
  /** The last error Teams gave, e.g. "403 BotNotInConversationRoster". */
  lastError: string | null;
}

/** The list, or how to add one; commands written as they are typed in `place`. */
export function subscriptionsCard(
  input: { items: SubscriptionSummary[]; deadLetters?: DeadLetterSummary },
  place: CommandPlace,
): AdaptiveCardJson {
  const { items } = input;
  const total = items.length;
  const dead = input.deadLetters?.count ?? 0;
  const typed = (command: string) => typedCommand(command, place);
  return renderListCard(template, items, place, (shown, hidden) => ({
    title: total === 0 ? 'No subscriptions here' : `Subscriptions here (${total})`,
    total,
    items: shown,
    hidden,
    addHint: `Add one with ${typed('subscribe whatsapp vip')}, or type ${typed('help')} to see every filter.`,
    removeHint:
      `Remove one with ${typed('unsubscribe')} followed by its number (e.g. ${typed(`unsubscribe ${total === 0 ? 1 : items[0].number}`)}), ` +
      `or all of them with ${typed('unsubscribe all')}.`,
    deadLetters: dead,
    deadLettersText:
      dead === 0
        ? ''
        : escapeMarkdown(
            `${dead} klink message${dead === 1 ? '' : 's'} could not be posted here${input.deadLetters?.lastError ? ` (last error: ${input.deadLetters.lastError})` : ''}. ` +
              'An operator can list them with npm run deliveries -- dead and post them again with npm run deliveries -- retry.',
          ),
  }));
}
