/** The reply to `unsubscribe`: what was removed. */
import type { AdaptiveCardJson } from './render';
import { type SubscriptionSummary, renderListCard } from './subscription-summary';
import template from './templates/unsubscribed-card.json';

export function unsubscribedCard(input: { removed: SubscriptionSummary[] }): AdaptiveCardJson {
  const { removed } = input;
  const total = removed.length;
  const title =
    total === 0 ? 'Nothing to remove' : total === 1 ? `Unsubscribed (#${removed[0].number})` : `Unsubscribed: ${total} subscriptions removed`;
  return renderListCard(template, removed, (shown, hidden) => ({ title, total, items: shown, hidden }));
}
