/** The reply to a `subscribe` that created a subscription. */
import { type AdaptiveCardJson, renderTemplate } from './render';
import { type SubscriptionSummary, summaryData } from './subscription-summary';
import template from './templates/subscribed-card.json';
import type { CommandPlace } from './typed-command';

/** "Subscribed (#n)", what will be posted, the command as saved and how to undo it (as typed in `place`). */
export function subscribedCard(subscription: SubscriptionSummary, place: CommandPlace): AdaptiveCardJson {
  return renderTemplate(template, summaryData(subscription, place));
}
