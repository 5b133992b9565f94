/**
 * `/api/tab/conversations/:cid/deliveries`: the conversation's last 50 deliveries with their
 * state and a summary of the klink event (never the message text), and putting dead ones back in
 * the queue — one, or all of this conversation's (delivery workers are told at once).
 */
import type { Request, Server } from 'restify';
import { messageOf } from '../../delivery/delivery-card';
import type { DeliveryState, DeliveryWithEvent } from '../../store/store';
import { sendProblem } from '../problem';
import { routeParam } from '../route-param';
import type { TabDeps } from './deps';
import { logChange, memberRoute } from './guard';

const HISTORY_LIMIT = 50;
const STATES: readonly DeliveryState[] = ['pending', 'delivered', 'dead'];

export function registerDeliveryRoutes(server: Server, deps: TabDeps): void {
  memberRoute(server, deps, 'get', '/deliveries', async (req, res, { conversation }) => {
    const state = stateQuery(req);
    if (state === undefined) {
      return sendProblem(res, {
        code: 'invalid-state',
        status: 400,
        title: 'Unknown delivery state',
        detail: 'Ask for state=pending, state=delivered or state=dead, or leave state out for all.',
      });
    }
    const items = await deps.store.deliveries.conversationDeliveries(conversation.id, state, HISTORY_LIMIT);
    res.send(200, { deliveries: items.map(deliveryView) });
  });

  memberRoute(server, deps, 'post', '/deliveries/retry-dead', async (_req, res, ctx) => {
    const requeued = await deps.store.deliveries.requeueDeadOf(ctx.conversation.id, null, deps.now());
    logChange(deps, ctx, 'dead deliveries requeued', { requeued });
    res.send(200, { requeued });
  });

  memberRoute(server, deps, 'post', '/deliveries/:id/retry', async (req, res, ctx) => {
    const id = Number(routeParam(req, 'id'));
    const delivery = Number.isSafeInteger(id) ? await deps.store.deliveries.conversationDelivery(ctx.conversation.id, id) : null;
    if (delivery === null) {
      return sendProblem(res, {
        code: 'delivery-not-found',
        status: 404,
        title: 'No such delivery',
        detail: 'This conversation has no such delivery: reload the list.',
      });
    }
    const requeued = delivery.state === 'dead' ? await deps.store.deliveries.requeueDeadOf(ctx.conversation.id, [id], deps.now()) : 0;
    if (requeued === 0) {
      return sendProblem(res, {
        code: 'not-dead',
        status: 409,
        title: 'This delivery is not dead',
        detail: 'Only deliveries that could not be posted can be retried; this one is delivered or still in the queue: reload the list.',
      });
    }
    logChange(deps, ctx, 'dead delivery requeued', { deliveryId: id });
    res.send(200, { requeued });
  });
}

/** The `state` query parameter: null when absent, undefined when it names no state. */
function stateQuery(req: Request): DeliveryState | null | undefined {
  const value = new URL(req.url ?? '/', 'http://tab.invalid').searchParams.get('state');
  if (value === null || value === '') return null;
  return STATES.find((s) => s === value);
}

function deliveryView({ delivery, event, contact }: DeliveryWithEvent) {
  const message = messageOf(event);
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    id: delivery.id,
    state: delivery.state,
    attempts: delivery.attempts,
    lastError: delivery.lastError,
    via: delivery.via,
    deliveredAt: iso(delivery.deliveredAt),
    nextAttemptAt: delivery.state === 'pending' ? iso(delivery.nextAttemptAt) : null,
    event: {
      id: event.dataId,
      kind: message.direction === 'outbound' ? 'message.outbound' : 'message.inbound',
      channelType: message.room.channelType,
      roomId: event.roomId ?? message.roomId,
      contactName: contact !== null && contact.name !== '' ? contact.name : null,
      at: new Date(event.receivedAt).toISOString(),
    },
  };
}
