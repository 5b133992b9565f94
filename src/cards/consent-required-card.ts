/** Shown in a tenant the bot may not act in: explains, and links to admin consent. */
import { type AdaptiveCardJson, renderTemplate } from './render';
import template from './templates/consent-required-card.json';

export function consentRequiredCard(input: { consentUrl: string | null }): AdaptiveCardJson {
  return renderTemplate(template, { hasLink: input.consentUrl !== null, consentUrl: input.consentUrl ?? '' });
}
