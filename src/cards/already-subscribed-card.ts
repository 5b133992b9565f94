/** The reply to a `subscribe` whose filters this conversation already has. */
import { type AdaptiveCardJson, renderTemplate } from './render';
import { type SubscriptionSummary, summaryData } from './subscription-summary';
import template from './templates/already-subscribed-card.json';
import type { CommandPlace } from './typed-command';

/** "Already subscribed — nothing changed", with the existing subscription (commands as typed in `place`). */
export function alreadySubscribedCard(subscription: SubscriptionSummary, place: CommandPlace): AdaptiveCardJson {
  return renderTemplate(template, summaryData(subscription, place));
}
