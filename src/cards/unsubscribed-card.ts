/** The reply to `unsubscribe`: what was removed. */
import type { AdaptiveCardJson } from './render';
import { type SubscriptionSummary, renderListCard } from './subscription-summary';
import template from './templates/unsubscribed-card.json';
import { type CommandPlace, typedCommand } from './typed-command';

/** What was removed, and how to see what is left (as typed in `place`). */
export function unsubscribedCard(input: { removed: SubscriptionSummary[] }, place: CommandPlace): AdaptiveCardJson {
  const { removed } = input;
  const total = removed.length;
  const title =
    total === 0
      ? 'Nothing to remove'
      : total === 1
        ? `Unsubscribed (#${removed[0].number})`
        : `Unsubscribed: ${total} subscriptions removed`;
  const leftHint = `Nothing more will be posted for these. See what is left with ${typedCommand('subscriptions', place)}.`;
  return renderListCard(template, removed, place, (shown, hidden) => ({ title, total, items: shown, hidden, leftHint }));
}
