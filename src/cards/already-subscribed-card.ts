/** The reply to a `subscribe` whose filters this conversation already has. */
import { type AdaptiveCardJson, renderTemplate } from './render';
import { type SubscriptionSummary, summaryData } from './subscription-summary';
import template from './templates/already-subscribed-card.json';

/** "Already subscribed — nothing changed", with the existing subscription. */
export function alreadySubscribedCard(subscription: SubscriptionSummary): AdaptiveCardJson {
  return renderTemplate(template, summaryData(subscription));
}
