/**
 * The bot's own answers within a turn (command cards, welcome and consent cards) count against
 * the same Teams limits as delivery: a reply in a channel thread counts against the channel.
 * Each reply takes a slot from the conversation's and tenant's budget in the store — shared
 * with every delivery worker and every instance — waiting for one for a little while if
 * delivery has just spent it. A reply is never dropped: after MAX_WAIT_MS it goes anyway (still
 * counted).
 */
import type { Activity, Middleware, TurnContext } from 'botbuilder';
import type { Logger } from '../log';
import type { Store } from '../store/store';
import { describeConversation } from './klink-bot';

/** Longest a reply waits for budget; the user is waiting for it. */
export const MAX_WAIT_MS = 3_000;

/** Activity types the adapter answers without a request to the Bot Connector. */
const NOT_SENT = new Set(['invokeResponse', 'delay', 'trace']);

export interface ReplyPacingDeps {
  store: Pick<Store, 'conversations' | 'budget'>;
  now: () => number;
  log: Logger;
}

interface Target {
  conversationId: string;
  tenantId: string;
}

export class ReplyPacing implements Middleware {
  constructor(private readonly deps: ReplyPacingDeps) {}

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    const conversation = describeConversation(context.activity);
    if (conversation !== null) {
      const target = { conversationId: conversation.id, tenantId: conversation.tenantId };
      context.onSendActivities(async (_context, activities: Partial<Activity>[], send) => {
        const requests = activities.filter((a) => !NOT_SENT.has(a.type ?? '')).length;
        // Only in conversations the bot has recorded: in a tenant it may not act in (the consent
        // card) it stores nothing.
        if (requests === 0 || (await this.deps.store.conversations.getConversation(target.conversationId)) === null) return send();
        const slots: number[] = [];
        for (let i = 0; i < requests; i++) slots.push(await this.slot(target));
        try {
          return await send();
        } finally {
          await this.answered(target, slots);
        }
      });
    }
    await next();
  }

  /** A slot in the conversation's and tenant's budget, waiting for one up to MAX_WAIT_MS. */
  private async slot(target: Target): Promise<number> {
    const { store, now } = this.deps;
    const deadline = now() + MAX_WAIT_MS;
    for (;;) {
      const left = deadline - now();
      const taken = await store.budget.take(target, now(), { force: left <= 0 });
      if (taken.granted) {
        if (left <= 0)
          this.deps.log.warn(
            { conversationId: target.conversationId },
            "reply sent over the conversation's budget after waiting; Teams may throttle it",
          );
        return taken.slot;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.max(1, Math.min(taken.waitMs, left))));
    }
  }

  /** Marks the replies' slots answered, so the budget counts them at their answer time. */
  private async answered(target: Target, slots: number[]): Promise<void> {
    const at = this.deps.now();
    try {
      for (const slot of slots) await this.deps.store.budget.answered(slot, at);
    } catch (err) {
      this.deps.log.warn(
        { err, conversationId: target.conversationId },
        'could not mark a reply answered; it counts as in flight until it expires',
      );
    }
  }
}
