/**
 * A request's slot in Teams' budget (src/store/budget.ts), as delivery uses it: taken before the
 * request, marked answered when Teams answers or the request fails.
 */
import type { Conversation, SlotGrant, SlotRefusal, TakeOptions, TeamsBudget } from '../store/store';

export interface HeldSlot {
  grant: SlotGrant;
  /** When Teams answered: for recording with the delivery in one transaction. */
  answered(): { slot: number; answeredAt: number };
  /** The request failed or is done with: its answer time is recorded now. */
  release(): Promise<void>;
}

/** Takes a slot for one request to `conversation`, or says how long to wait. */
export async function takeSlot(
  budget: TeamsBudget,
  conversation: Pick<Conversation, 'id' | 'tenantId'>,
  now: () => number,
  options?: TakeOptions,
): Promise<HeldSlot | SlotRefusal> {
  const grant = await budget.take({ conversationId: conversation.id, tenantId: conversation.tenantId }, now(), options);
  if (!grant.granted) return grant;
  let answeredAt: number | null = null;
  const answered = () => {
    answeredAt ??= now();
    return { slot: grant.slot, answeredAt };
  };
  return {
    grant,
    answered,
    release: async () => budget.answered(grant.slot, answered().answeredAt),
  };
}
