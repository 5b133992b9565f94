/** The reply to `subscriptions`: this conversation's subscriptions, or how to add one. */
import type { AdaptiveCardJson } from './render';
import { type SubscriptionSummary, renderListCard } from './subscription-summary';
import template from './templates/subscriptions-card.json';

export function subscriptionsCard(input: { items: SubscriptionSummary[] }): AdaptiveCardJson {
  const { items } = input;
  const total = items.length;
  return renderListCard(template, items, (shown, hidden) => ({
    title: total === 0 ? 'No subscriptions here' : `Subscriptions here (${total})`,
    total,
    items: shown,
    hidden,
    firstNumber: total === 0 ? 1 : items[0].number,
  }));
}
