/**
 * The bot's own answers within a turn (command cards, welcome and consent cards) count against
 * the same Teams limits as delivery: a reply in a channel thread counts against the channel.
 * Each reply takes a slot from its conversation's and tenant's budget, waiting for one for a
 * little while if delivery has just spent it, and is recorded, so delivery makes room for it.
 * A reply is never dropped: after MAX_WAIT_MS it goes anyway (still counted).
 */
import type { Activity, Middleware, TurnContext } from 'botbuilder';
import type { Pacer } from '../delivery/pacing';
import type { Logger } from '../log';
import type { Store } from '../store/store';
import { describeConversation } from './klink-bot';

/** Longest a reply waits for budget; the user is waiting for it. */
export const MAX_WAIT_MS = 3_000;

/** Activity types the adapter answers without a request to the Bot Connector. */
const NOT_SENT = new Set(['invokeResponse', 'delay', 'trace']);

export interface ReplyPacingDeps {
  pacer: Pacer;
  store: Store;
  now: () => number;
  log: Logger;
}

type Slot = (answeredAt: number) => void;

export class ReplyPacing implements Middleware {
  constructor(private readonly deps: ReplyPacingDeps) {}

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    const target = describeConversation(context.activity);
    if (target !== null) {
      context.onSendActivities(async (_context, activities: Partial<Activity>[], send) => {
        const requests = activities.filter((a) => !NOT_SENT.has(a.type ?? '')).length;
        if (requests === 0) return send();
        const slots: Slot[] = [];
        for (let i = 0; i < requests; i++) slots.push(await this.slot(target.id, target.tenantId));
        try {
          return await send();
        } finally {
          await this.answered(target.id, target.tenantId, slots);
        }
      });
    }
    await next();
  }

  /** A slot in the conversation's and tenant's budget, waiting for one up to MAX_WAIT_MS. */
  private async slot(conversationId: string, tenantId: string): Promise<Slot> {
    const { pacer, now } = this.deps;
    const deadline = now() + MAX_WAIT_MS;
    for (;;) {
      const slot = pacer.tryAcquire(conversationId, tenantId, now());
      if (typeof slot !== 'number') return slot;
      const left = deadline - now();
      if (left <= 0) {
        this.deps.log.warn({ conversationId }, 'reply sent over the conversation\'s budget after waiting; Teams may throttle it');
        return pacer.acquire(conversationId, tenantId);
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(slot, left)));
    }
  }

  /**
   * Frees the slots at the answer time and stores the requests, so they count after a restart
   * too — only in conversations the bot has recorded: in a tenant it may not act in (the consent
   * card) it stores nothing.
   */
  private async answered(conversationId: string, tenantId: string, slots: Slot[]): Promise<void> {
    const at = this.deps.now();
    for (const slot of slots) slot(at);
    try {
      if ((await this.deps.store.conversations.getConversation(conversationId)) === null) return;
      for (let i = 0; i < slots.length; i++) await this.deps.store.requests.recordTeamsRequest({ conversationId, tenantId, at });
    } catch (err) {
      this.deps.log.warn({ err, conversationId }, 'could not store a reply in the request log');
    }
  }
}
