/**
 * Updates a posted card for everyone in the conversation (Bot Connector "update activity"), as a
 * request that counts against the conversation's Teams budget like every other: it takes a slot
 * first, waiting up to MAX_WAIT_MS (the person who clicked is waiting), then goes anyway, still
 * counted — as the bot's other answers do (reply-pacing.ts).
 */
import type { Activity, TurnContext } from 'botbuilder';
import { takeSlot } from '../delivery/budget-slot';
import type { Logger } from '../log';
import type { Conversation, Store } from '../store/store';
import { MAX_WAIT_MS } from './reply-pacing';

export async function updatePostedCard(
  context: TurnContext,
  activity: Partial<Activity>,
  conversation: Pick<Conversation, 'id' | 'tenantId'>,
  deps: { store: Pick<Store, 'budget'>; now: () => number; log: Logger },
): Promise<boolean> {
  const activityId = context.activity.replyToId;
  if (!activityId) return false;
  const deadline = deps.now() + MAX_WAIT_MS;
  for (;;) {
    const left = deadline - deps.now();
    const slot = await takeSlot(deps.store.budget, conversation, deps.now, { force: left <= 0 });
    if ('grant' in slot) {
      try {
        await context.updateActivity({ ...activity, id: activityId });
        return true;
      } catch (err) {
        deps.log.warn({ err, conversationId: conversation.id }, 'the replied-to card could not be updated for everyone');
        return false;
      } finally {
        await slot.release();
      }
    }
    await new Promise((resolve) => setTimeout(resolve, Math.max(1, Math.min(slot.waitMs, left))));
  }
}
