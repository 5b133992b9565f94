/** The reply to `subscriptions`: this conversation's subscriptions, or how to add one. */
import { escapeMarkdown } from './escape-markdown';
import type { AdaptiveCardJson } from './render';
import { type SubscriptionSummary, renderListCard } from './subscription-summary';
import template from './templates/subscriptions-card.json';

export interface DeadLetterSummary {
  count: number;
  /** The last error Teams gave, e.g. "403 BotNotInConversationRoster". */
  lastError: string | null;
}

export function subscriptionsCard(input: { items: SubscriptionSummary[]; deadLetters?: DeadLetterSummary }): AdaptiveCardJson {
  const { items } = input;
  const total = items.length;
  const dead = input.deadLetters?.count ?? 0;
  return renderListCard(template, items, (shown, hidden) => ({
    title: total === 0 ? 'No subscriptions here' : `Subscriptions here (${total})`,
    total,
    items: shown,
    hidden,
    firstNumber: total === 0 ? 1 : items[0].number,
    deadLetters: dead,
    deadLettersText: dead === 0 ? '' : escapeMarkdown(
      `${dead} klink message${dead === 1 ? '' : 's'} could not be posted here${input.deadLetters?.lastError ? ` (last error: ${input.deadLetters.lastError})` : ''}. ` +
      'An operator can list them with npm run deliveries -- dead and post them again with npm run deliveries -- retry.'),
  }));
}
