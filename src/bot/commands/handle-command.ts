/** Carries out a parsed command for one conversation and returns the reply card. */
import { alreadySubscribedCard } from '../../cards/already-subscribed-card';
import { commandErrorCard } from '../../cards/command-error-card';
import { helpCard } from '../../cards/help-card';
import type { AdaptiveCardJson } from '../../cards/render';
import { subscribedCard } from '../../cards/subscribed-card';
import { subscriptionsCard } from '../../cards/subscriptions-card';
import type { CommandPlace } from '../../cards/typed-command';
import { unsubscribedCard } from '../../cards/unsubscribed-card';
import type { Store, Subscription } from '../../store/store';
import { describeFilters } from '../../subscriptions/describe';
import { filtersKey } from '../../subscriptions/filters';
import { formatFilters } from '../../subscriptions/format';
import { type Command, usageFor } from './parse';

export interface CommandDeps {
  store: Store;
  vipTags: readonly string[];
  now: () => number;
}

export interface CommandContext {
  conversationId: string;
  /** The kind of conversation: replies write commands as they are typed there. */
  place: CommandPlace;
  /** Who typed it (Entra object id when known). */
  userId: string | null;
}

/** Runs the command; the conversation is already recorded. */
export async function handleCommand(command: Command, ctx: CommandContext, deps: CommandDeps): Promise<AdaptiveCardJson> {
  const { store, now } = deps;
  const { place } = ctx;
  const usage = usageFor(place);
  switch (command.kind) {
    case 'help':
      return helpCard(place);
    case 'list': {
      const items = await store.conversations.listSubscriptions(ctx.conversationId);
      const dead = await store.deliveries.listDeliveries({ state: 'dead', conversationId: ctx.conversationId }, 1000);
      return subscriptionsCard(
        {
          items: items.map((s) => summarize(s, deps)),
          deadLetters: { count: dead.length, lastError: dead.at(-1)?.lastError ?? null },
        },
        place,
      );
    }
    case 'subscribe': {
      const { created, subscription } = await store.conversations.addSubscription(ctx.conversationId, command.filters, ctx.userId, now());
      return created ? subscribedCard(summarize(subscription, deps), place) : alreadySubscribedCard(summarize(subscription, deps), place);
    }
    case 'unsubscribe': {
      const current = await store.conversations.listSubscriptions(ctx.conversationId);
      const target = command.target;
      let chosen: Subscription[];
      if (target.kind === 'all') chosen = current;
      else if (target.kind === 'numbers') {
        const missing = target.numbers.filter((n) => !current.some((s) => s.number === n));
        if (missing.length > 0) {
          return commandErrorCard(
            {
              problem: `There is no subscription ${missing.map((n) => `#${n}`).join(', ')} here (this conversation has ${current.length}).`,
              suggestion: `Type ${usage.typed('subscriptions')} to see the numbers.`,
              usage: usage.unsubscribe,
            },
            place,
          );
        }
        chosen = current.filter((s) => target.numbers.includes(s.number));
      } else {
        const key = filtersKey(target.filters);
        chosen = current.filter((s) => filtersKey(s.filters) === key);
        if (chosen.length === 0) {
          return commandErrorCard(
            {
              problem: `No subscription here has exactly the filters "${formatFilters(target.filters)}".`,
              suggestion: `Type ${usage.typed('subscriptions')} to see them with their numbers.`,
              usage: usage.unsubscribe,
            },
            place,
          );
        }
      }
      const removed = await store.conversations.removeSubscriptions(
        ctx.conversationId,
        chosen.map((s) => s.id),
        `unsubscribed by ${ctx.userId ?? 'a user'}`,
        now(),
      );
      return unsubscribedCard({ removed: removed.map((s) => summarize(s, deps)) }, place);
    }
  }
}

function summarize(s: Subscription, deps: CommandDeps): { number: number; command: string; description: string } {
  return { number: s.number, command: formatFilters(s.filters), description: describeFilters(s.filters, [...deps.vipTags]) };
}
