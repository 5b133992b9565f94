/** A subscription as the tab API answers it: the filter words and the plain sentence the bot's cards use. */
import type { Subscription } from '../../store/store';
import { describeFilters } from '../../subscriptions/describe';
import { formatFilters } from '../../subscriptions/format';

export function subscriptionView(s: Subscription, vipTags: readonly string[]) {
  return {
    id: s.id,
    number: s.number,
    command: formatFilters(s.filters),
    description: describeFilters(s.filters, [...vipTags]),
    createdAt: new Date(s.createdAt).toISOString(),
  };
}
